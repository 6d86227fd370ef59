// The allow rules of a profile, in the AKS portal's terms: source pods, a destination kind (pods in this
// namespace, pods in other namespaces, an external IP block), and ports ("all ports" or a list).
import { getAt, type Path } from '../../../src/console/view/paths.js';
import { newRule, PEER_KINDS, peerKind, withPeerKind, type PeerKind } from '../../../src/console/view/presets.js';
import { CheckField, ListField, messagesFor, PortField, SelectField, SelectorField, TextField, type FormCtx } from '../form.js';

const PROTOCOL_OPTIONS = ['TCP', 'UDP', 'SCTP'].map((p) => ({ value: p, label: p }));

function Ports(props: { ctx: FormCtx; path: Path }) {
  const ports = getAt(props.ctx.doc, props.path) as unknown[] | undefined;
  const all = ports === undefined || ports.length === 0;
  return (
    <fieldset class="ports">
      <legend>Ports</legend>
      <div class="field check">
        <input id={`${props.path.join('-')}-all`} type="checkbox" checked={all} onChange={(e) => props.ctx.set(props.path, (e.target as HTMLInputElement).checked ? undefined : [{ protocol: 'TCP', port: 443 }])} />
        <label for={`${props.path.join('-')}-all`}>Allow all ports</label>
      </div>
      {!all &&
        ports!.map((_, i) => (
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
        <button type="button" class="link" onClick={() => props.ctx.set([...props.path, ports!.length], { protocol: 'TCP', port: 80 })}>
          + Add port
        </button>
      )}
    </fieldset>
  );
}

function Rule(props: { ctx: FormCtx; index: number; warnings: string[] }) {
  const base: Path = ['spec', 'allow', props.index];
  const to = getAt(props.ctx.doc, [...base, 'to']) as Record<string, unknown> | undefined;
  const from = getAt(props.ctx.doc, [...base, 'from']) as Record<string, unknown> | undefined;
  const kind = peerKind(to);
  const fromOther = from?.namespaceSelector !== undefined;
  return (
    <fieldset class="rule" data-rule={props.index}>
      <legend>Allow rule {props.index + 1}</legend>
      {props.warnings.map((w) => (
        <p class="warning" role="note" key={w}>
          ⚠ {w}
        </p>
      ))}
      <div class="cols">
        <TextField ctx={props.ctx} path={[...base, 'name']} label="Rule name" />
        <TextField ctx={props.ctx} path={[...base, 'description']} label="Description" optional />
      </div>
      <div class="cols">
        <div>
          <h4>Source</h4>
          <SelectorField ctx={props.ctx} path={[...base, 'from', 'podSelector']} label="Source pods" />
          <div class="field check">
            <input id={`rule-${props.index}-from-other`} type="checkbox" checked={fromOther} onChange={(e) => props.ctx.set([...base, 'from', 'namespaceSelector'], (e.target as HTMLInputElement).checked ? {} : undefined)} />
            <label for={`rule-${props.index}-from-other`}>Source pods are in other namespaces</label>
          </div>
          {fromOther && <SelectorField ctx={props.ctx} path={[...base, 'from', 'namespaceSelector']} label="Source namespaces" />}
        </div>
        <div>
          <h4>Destination</h4>
          <div class="field">
            <label for={`rule-${props.index}-to-kind`}>Destination kind</label>
            <select id={`rule-${props.index}-to-kind`} value={kind} onChange={(e) => props.ctx.set([...base, 'to'], withPeerKind(to, (e.target as HTMLSelectElement).value as PeerKind))}>
              {PEER_KINDS.map((k) => (
                <option value={k.kind} key={k.kind}>
                  {k.label}
                </option>
              ))}
            </select>
            {messagesFor(props.ctx.issues, [...base, 'to']).filter((m) => !m.includes(':')).map((m) => (
              <small class="error" key={m}>
                {m}
              </small>
            ))}
          </div>
          {kind !== 'ip-block' && <SelectorField ctx={props.ctx} path={[...base, 'to', 'podSelector']} label="Destination pods" />}
          {kind === 'other-namespaces' && <SelectorField ctx={props.ctx} path={[...base, 'to', 'namespaceSelector']} label="Destination namespaces" />}
          {kind === 'ip-block' && (
            <>
              <TextField ctx={props.ctx} path={[...base, 'to', 'ipBlock', 'cidr']} label="CIDR" hint="e.g. 203.0.113.0/24" />
              <ListField ctx={props.ctx} path={[...base, 'to', 'ipBlock', 'except']} label="Except CIDRs" placeholder="203.0.113.128/25" />
            </>
          )}
        </div>
      </div>
      <Ports ctx={props.ctx} path={[...base, 'ports']} />
      <button type="button" class="link danger" onClick={() => props.ctx.set(base, undefined)}>
        Remove rule
      </button>
    </fieldset>
  );
}

export function AllowRules(props: { ctx: FormCtx; warnings: ReadonlyMap<number, string[]> }) {
  const rules = (getAt(props.ctx.doc, ['spec', 'allow']) as Array<{ name?: unknown }> | undefined) ?? [];
  return (
    <fieldset class="allow">
      <legend>Allow rules ({rules.length})</legend>
      {rules.map((_, i) => (
        <Rule ctx={props.ctx} index={i} key={i} warnings={props.warnings.get(i) ?? []} />
      ))}
      <button type="button" id="add-rule" onClick={() => props.ctx.set(['spec', 'allow', rules.length], newRule(rules))}>
        + Add allow rule
      </button>
    </fieldset>
  );
}

export { CheckField };
