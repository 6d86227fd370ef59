// Form inputs bound to one field path of the profile; each shows the validation messages of its path
// (and of the paths under it). Adding a field to the editor is one line with one of these.
import { useEffect, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import type { FieldIssues } from '../../src/console/view/issues.js';
import { getAt, pathKey, type Path } from '../../src/console/view/paths.js';
import { hasExpressions, listToText, selectorToText, textToList, textToSelector, type SimpleSelector } from '../../src/console/view/selector-text.js';

export interface FormCtx {
  doc: unknown;
  issues: FieldIssues;
  /** No-effect warnings (profileWarnings), by field: shown, never blocking. */
  warnings: FieldIssues;
  set: (path: Path, value: unknown) => void;
}

let counter = 0;
const useId = (): string => useState(() => `f${++counter}`)[0];

/** Messages for this path and everything under it. */
export function messagesFor(issues: FieldIssues, path: Path): string[] {
  const key = pathKey(path);
  const out: string[] = [];
  for (const [k, ms] of issues) {
    if (k === key) out.push(...ms);
    else if (k.startsWith(`${key}.`) || k.startsWith(`${key}[`)) out.push(...ms.map((m) => `${k.slice(key.length).replace(/^\./, '')}: ${m}`));
  }
  return out;
}

/** Warnings about this field (and what is under it), as notes. */
export function Warnings(props: { ctx: FormCtx; path: Path }) {
  return (
    <>
      {messagesFor(props.ctx.warnings, props.path).map((w) => (
        <p class="warning" role="note" key={w}>
          ⚠ {w}
        </p>
      ))}
    </>
  );
}

function Field(props: { id: string; label: string; hint?: string | undefined; messages: string[]; children: ComponentChildren; warn?: { ctx: FormCtx; path: Path } }) {
  return (
    <div class={`field${props.messages.length > 0 ? ' invalid' : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && <small class="hint">{props.hint}</small>}
      {props.warn && <Warnings ctx={props.warn.ctx} path={props.warn.path} />}
      {props.messages.map((m) => (
        <small class="error" role="alert" key={m}>
          {m}
        </small>
      ))}
    </div>
  );
}

/**
 * A text input that keeps what the user typed (text that does not map 1:1 onto the value, such as
 * `a=b,`), and follows the document when it changes elsewhere (the YAML tab, a preset).
 */
function useText(valueText: string): [string, (typed: string, resulting: string) => void] {
  const [text, setText] = useState(valueText);
  const [last, setLast] = useState(valueText);
  useEffect(() => {
    if (valueText !== last) {
      setText(valueText);
      setLast(valueText);
    }
  }, [valueText]);
  return [
    text,
    (typed, resulting) => {
      setText(typed);
      setLast(resulting);
    },
  ];
}

/**
 * A text input bound to a path: `format` shows the value, `parse` turns what was typed into the value
 * (undefined omits the field). What the user typed stays as typed while it means the same value.
 */
function BoundText(props: {
  ctx: FormCtx;
  path: Path;
  label: string;
  hint?: string | undefined;
  placeholder?: string | undefined;
  readOnly?: boolean | undefined;
  short?: boolean;
  trim?: boolean;
  format: (value: unknown) => string;
  parse: (text: string) => unknown;
}) {
  const id = useId();
  const [text, setText] = useText(props.format(getAt(props.ctx.doc, props.path)));
  return (
    <Field id={id} label={props.label} hint={props.hint} messages={messagesFor(props.ctx.issues, props.path)} warn={{ ctx: props.ctx, path: props.path }}>
      <input
        id={id}
        class={props.short ? 'short' : undefined}
        data-path={pathKey(props.path)}
        value={text}
        placeholder={props.placeholder}
        readOnly={props.readOnly}
        onInput={(e) => {
          const raw = (e.target as HTMLInputElement).value;
          const t = props.trim ? raw.trim() : raw;
          const next = props.parse(t);
          setText(t, props.format(next));
          props.ctx.set(props.path, next);
        }}
      />
    </Field>
  );
}

const plainText = (value: unknown): string => (value === undefined ? '' : String(value));

export function TextField(props: { ctx: FormCtx; path: Path; label: string; hint?: string; readOnly?: boolean; optional?: boolean }) {
  return <BoundText {...props} format={plainText} parse={(t) => (t === '' && props.optional ? undefined : t)} />;
}

/** A port: a number when it is digits, a name otherwise, omitted when empty. */
export function PortField(props: { ctx: FormCtx; path: Path; label: string }) {
  return <BoundText {...props} short trim format={plainText} parse={(t) => (t === '' ? undefined : /^\d+$/.test(t) ? Number(t) : t)} />;
}

export function CheckField(props: { ctx: FormCtx; path: Path; label: string; fallback: boolean }) {
  const id = useId();
  const value = getAt(props.ctx.doc, props.path);
  const checked = typeof value === 'boolean' ? value : props.fallback;
  return (
    <div class="field check">
      <input id={id} type="checkbox" data-path={pathKey(props.path)} checked={checked} onChange={(e) => props.ctx.set(props.path, (e.target as HTMLInputElement).checked)} />
      <label for={id}>{props.label}</label>
      {messagesFor(props.ctx.issues, props.path).map((m) => (
        <small class="error" role="alert" key={m}>
          {m}
        </small>
      ))}
    </div>
  );
}

export function SelectField(props: { ctx: FormCtx; path: Path; label: string; options: ReadonlyArray<{ value: string; label: string }>; fallback: string }) {
  const id = useId();
  const value = getAt(props.ctx.doc, props.path);
  return (
    <Field id={id} label={props.label} messages={messagesFor(props.ctx.issues, props.path)} warn={{ ctx: props.ctx, path: props.path }}>
      <select id={id} data-path={pathKey(props.path)} value={typeof value === 'string' ? value : props.fallback} onChange={(e) => props.ctx.set(props.path, (e.target as HTMLSelectElement).value)}>
        {props.options.map((o) => (
          <option value={o.value} key={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** `app=web,tier=db`; empty is `{}` (all) or, when optional, the field omitted. */
export function SelectorField(props: { ctx: FormCtx; path: Path; label: string; hint?: string; optional?: boolean }) {
  const id = useId();
  const value = getAt(props.ctx.doc, props.path) as SimpleSelector | undefined;
  const [text, setText] = useText(selectorToText(value));
  const [bad, setBad] = useState<string[]>([]);
  if (hasExpressions(value)) {
    return (
      <Field id={id} label={props.label} messages={messagesFor(props.ctx.issues, props.path)} warn={{ ctx: props.ctx, path: props.path }}>
        <input id={id} value={`${selectorToText(value)} (+ matchExpressions)`} readOnly data-path={pathKey(props.path)} />
        <small class="hint">This selector uses matchExpressions: edit it in the YAML tab.</small>
      </Field>
    );
  }
  return (
    <Field id={id} label={props.label} hint={props.hint ?? 'label=value, comma-separated; empty selects all'} messages={[...bad.map((b) => `"${b}" is not label=value`), ...messagesFor(props.ctx.issues, props.path)]} warn={{ ctx: props.ctx, path: props.path }}>
      <input
        id={id}
        data-path={pathKey(props.path)}
        value={text}
        placeholder="app=backend"
        onInput={(e) => {
          const t = (e.target as HTMLInputElement).value;
          const parsed = textToSelector(t);
          setText(t, selectorToText(parsed.selector));
          setBad(parsed.bad);
          const keepExisting = { ...(value ?? {}) } as Record<string, unknown>;
          delete keepExisting.matchLabels;
          props.ctx.set(props.path, t.trim() === '' && props.optional ? undefined : { ...keepExisting, ...parsed.selector });
        }}
      />
    </Field>
  );
}

/** A comma-separated list of strings (CIDRs, globs); empty omits the field. */
export function ListField(props: { ctx: FormCtx; path: Path; label: string; hint?: string; placeholder?: string }) {
  return <BoundText {...props} format={(v) => listToText(v as string[] | undefined)} parse={textToList} />;
}
