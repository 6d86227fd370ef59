// The allow rules of a profile, in the AKS portal's terms: source pods, a destination kind (pods in this
// namespace, pods in other namespaces, an external IP block), and ports ("all ports" or a list).
import { getAt, type Path } from '../../../src/console/view/paths.js';
import { newRule, PEER_KINDS, peerKind, withPeerKind, type PeerKind } from '../../../src/console/view/presets.js';
import { CheckField, ListField, PortField, SelectField, SelectorField, TextField, Warnings, type FormCtx } from '../form.js';

const PROTOCOL_OPTIONS = ['TCP', 'UDP', 'SCTP'].map((p) => ({ value: p, label: p }));

export function Ports(props: { ctx: FormCtx; path: Path; label?: string; allowAll?: boolean }) {
  const ports = getAt(props.ctx.doc, props.path) as unknown[] | undefined;
  const allowAll = props.allowAll ?? true;
  const all = allowAll && (ports === undefined || ports.length === 0);
  return (
    <fieldset class="ports">
      <legend>{props.label ?? 'Ports'}</legend>
      {allowAll && <div class="field check">
        <input id={`${props.path.join('-')}-all`} type="checkbox" checked={all} onChange={(e) => props.ctx.set(props.path, (e.target as HTMLInputElement).checked ? undefined : [{ protocol: 'TCP', port: 443 }])} />
        <label for={`${props.path.join('-')}-all`}>All ports</label>
      </div>}
      {!all &&
        (ports ?? []).map((_, i) => (
          <div class="port-row" key={i}>
            <SelectField ctx={props.ctx} path={[...props.path, i, 'protocol']} label="Protocol" options={PROTOCOL_OPTIONS} fallback="TCP" />
            <PortField ctx={props.ctx} path={[...props.path, i, 'port']} label="Port (or name)" />
            <PortField ctx={props.ctx} path={[...props.path, i, 'endPort']} label="End port (range)" />
            <button type="button" class="link" onClick={() => props.ctx.set([...props.path, i], undefined)}>
              Remove port
            </button>
          </div>
        ))}
      {!all && (
        <button type="button" class="link" onClick={() => props.ctx.set([...props.path, ports?.length ?? 0], { protocol: 'TCP', port: 80 })}>
          + Add port
        </button>
      )}
    </fieldset>
  );
}

/** One end of a rule: the portal's three kinds, and the inputs of the chosen kind. */
function PeerFields(props: { ctx: FormCtx; path: Path; id: string; kind: PeerKind; peer: Record<string, unknown> | undefined; side: 'Source' | 'Destination' }) {
  const { ctx, path, kind } = props;
  return (
    <>
      <div class="field">
        <label for={`${props.id}-kind`}>{props.side} kind</label>
        <select id={`${props.id}-kind`} value={kind} onChange={(e) => ctx.set(path, withPeerKind(props.peer, (e.target as HTMLSelectElement).value as PeerKind))}>
          {PEER_KINDS.map((k) => (
            <option value={k.kind} key={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
      </div>
      {kind !== 'ip-block' && <SelectorField ctx={ctx} path={[...path, 'podSelector']} label={`${props.side} pods`} />}
      {kind === 'other-namespaces' && <SelectorField ctx={ctx} path={[...path, 'namespaceSelector']} label={`${props.side} namespaces`} />}
      {kind === 'ip-block' && (
        <>
          <TextField ctx={ctx} path={[...path, 'ipBlock', 'cidr']} label={`${props.side} CIDR`} hint="e.g. 203.0.113.0/24" />
          <ListField ctx={ctx} path={[...path, 'ipBlock', 'except']} label="Except CIDRs" placeholder="203.0.113.128/25" />
        </>
      )}
    </>
  );
}

function Rule(props: { ctx: FormCtx; index: number }) {
  const base: Path = ['spec', 'allow', props.index];
  const to = getAt(props.ctx.doc, [...base, 'to']) as Record<string, unknown> | undefined;
  const from = getAt(props.ctx.doc, [...base, 'from']) as Record<string, unknown> | undefined;
  const kind = peerKind(to);
  const fromKind = peerKind(from);
  return (
    <fieldset class="rule" data-rule={props.index}>
      <legend>Allow rule {props.index + 1}</legend>
      <Warnings ctx={props.ctx} path={base} />
      <div class="cols">
        <TextField ctx={props.ctx} path={[...base, 'name']} label="Rule name" />
        <TextField ctx={props.ctx} path={[...base, 'description']} label="Description" optional />
      </div>
      <div class="cols">
        <div>
          <h4>Source</h4>
          <PeerFields ctx={props.ctx} path={[...base, 'from']} id={`rule-${props.index}-from`} kind={fromKind} peer={from} side="Source" />
        </div>
        <div>
          <h4>Destination</h4>
          <PeerFields ctx={props.ctx} path={[...base, 'to']} id={`rule-${props.index}-to`} kind={kind} peer={to} side="Destination" />
        </div>
      </div>
      <Ports ctx={props.ctx} path={[...base, 'ports']} />
      <button type="button" class="link danger" onClick={() => props.ctx.set(base, undefined)}>
        Remove rule
      </button>
    </fieldset>
  );
}

export function AllowRules(props: { ctx: FormCtx }) {
  const rules = (getAt(props.ctx.doc, ['spec', 'allow']) as Array<{ name?: unknown }> | undefined) ?? [];
  return (
    <fieldset class="allow">
      <legend>Allow rules ({rules.length})</legend>
      {rules.map((_, i) => (
        <Rule ctx={props.ctx} index={i} key={i} />
      ))}
      <button type="button" id="add-rule" onClick={() => props.ctx.set(['spec', 'allow', rules.length], newRule(rules))}>
        + Add allow rule
      </button>
    </fieldset>
  );
}

export { CheckField };
