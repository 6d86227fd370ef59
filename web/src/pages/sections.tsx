// Form sections for the profile's optional features: metadata exceptions, node port blocking and API-server
// access. Each is a list of "pods by label, optionally in some namespaces" (plus ports where the API has them).
import { getAt, type Path } from '../../../src/console/view/paths.js';
import { ListField, SelectorField, Warnings, type FormCtx } from '../form.js';
import { Ports } from './rules.js';

/** A list of `{podSelector, namespaceSelector?, ports?}` entries with add and remove. */
function PodsList(props: { ctx: FormCtx; path: Path; what: string; withPorts: boolean; onEmpty?: () => void }) {
  const items = (getAt(props.ctx.doc, props.path) as unknown[] | undefined) ?? [];
  return (
    <div class="pods-list">
      {items.map((_, i) => (
        <div class="entry" key={i}>
          <div class="cols">
            <SelectorField ctx={props.ctx} path={[...props.path, i, 'podSelector']} label={`${props.what} ${i + 1}: pods`} />
            <SelectorField ctx={props.ctx} path={[...props.path, i, 'namespaceSelector']} label="in namespaces" optional hint="label=value; empty: every targeted namespace" />
          </div>
          {props.withPorts && <Ports ctx={props.ctx} path={[...props.path, i, 'ports']} />}
          <button type="button" class="link danger" onClick={() => (items.length === 1 && props.onEmpty ? props.onEmpty() : props.ctx.set([...props.path, i], undefined))}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" class="link" onClick={() => props.ctx.set([...props.path, items.length], { podSelector: { matchLabels: { app: '' } } })}>
        + Add {props.what.toLowerCase()}
      </button>
    </div>
  );
}

export function MetadataExceptions(props: { ctx: FormCtx }) {
  const path: Path = ['spec', 'instanceMetadata', 'allowFrom'];
  return (
    <div class="subsection" id="metadata-exceptions">
      <h4>Exceptions: pods that may still reach the metadata endpoint</h4>
      <Warnings ctx={props.ctx} path={path} />
      <PodsList ctx={props.ctx} path={path} what="Exception" withPorts onEmpty={() => props.ctx.set(path, undefined)} />
    </div>
  );
}

export function NodeAccess(props: { ctx: FormCtx }) {
  const path: Path = ['spec', 'nodeAccess'];
  const on = getAt(props.ctx.doc, path) !== undefined;
  return (
    <fieldset id="node-access">
      <legend>Node access</legend>
      <div class="field check">
        <input id="node-access-on" type="checkbox" checked={on} onChange={(e) => props.ctx.set(path, (e.target as HTMLInputElement).checked ? { cidrs: ['10.224.0.0/16'], denyPorts: [{ protocol: 'TCP', port: 22 }] } : undefined)} />
        <label for="node-access-on">Block pod egress to these ports of the nodes</label>
      </div>
      <Warnings ctx={props.ctx} path={path} />
      {on && (
        <>
          <ListField ctx={props.ctx} path={[...path, 'cidrs']} label="Node CIDRs" placeholder="10.224.0.0/16" />
          <Ports ctx={props.ctx} path={[...path, 'denyPorts']} label="Denied node ports" allowAll={false} />
        </>
      )}
    </fieldset>
  );
}

export function ApiServerAccess(props: { ctx: FormCtx }) {
  const path: Path = ['spec', 'apiServer'];
  const on = getAt(props.ctx.doc, path) !== undefined;
  return (
    <fieldset id="api-server">
      <legend>Kubernetes API server</legend>
      <div class="field check">
        <input id="api-server-on" type="checkbox" checked={on} onChange={(e) => props.ctx.set(path, (e.target as HTMLInputElement).checked ? { allowFrom: [{ podSelector: { matchLabels: { app: '' } } }] } : undefined)} />
        <label for="api-server-on">Allow some pods to reach the API server (its endpoint addresses) under default-deny egress</label>
      </div>
      <Warnings ctx={props.ctx} path={path} />
      {on && <PodsList ctx={props.ctx} path={[...path, 'allowFrom']} what="Client" withPorts={false} onEmpty={() => props.ctx.set(path, undefined)} />}
    </fieldset>
  );
}
