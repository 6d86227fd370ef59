// Calico selector expressions, the subset the operator writes and the common simple forms: terms joined by
// `&&`: all(), has(k), !has(k), k == "v", k != "v", k in {"a", "b"}, k not in {...}. Anything else
// (|| , parentheses, starts with, ...) is reported as unsupported rather than guessed.
import type { Labels } from '../../compile/select.js';

export type CalicoPredicate = (labels: Labels) => boolean;

export class UnsupportedSelectorError extends Error {}

const VALUE = String.raw`"([^"]*)"|'([^']*)'`;
const KEY = String.raw`([A-Za-z0-9_./-]+)`;
const TERMS: [RegExp, (m: RegExpExecArray) => CalicoPredicate][] = [
  [/^all\(\)$/, () => () => true],
  [new RegExp(String.raw`^has\(${KEY}\)$`), (m) => (l) => Object.hasOwn(l, m[1]!)],
  [new RegExp(String.raw`^!has\(${KEY}\)$`), (m) => (l) => !Object.hasOwn(l, m[1]!)],
  [new RegExp(String.raw`^${KEY}\s*==\s*(?:${VALUE})$`), (m) => (l) => Object.hasOwn(l, m[1]!) && l[m[1]!] === (m[2] ?? m[3])],
  [new RegExp(String.raw`^${KEY}\s*!=\s*(?:${VALUE})$`), (m) => (l) => !Object.hasOwn(l, m[1]!) || l[m[1]!] !== (m[2] ?? m[3])],
  [new RegExp(String.raw`^${KEY}\s+in\s*\{(.*)\}$`), (m) => (l) => Object.hasOwn(l, m[1]!) && values(m[2]!).includes(l[m[1]!]!)],
  [new RegExp(String.raw`^${KEY}\s+not\s+in\s*\{(.*)\}$`), (m) => (l) => !Object.hasOwn(l, m[1]!) || !values(m[2]!).includes(l[m[1]!]!)],
];

function values(list: string): string[] {
  const out: string[] = [];
  const re = new RegExp(VALUE, 'g');
  for (let m = re.exec(list); m; m = re.exec(list)) out.push(m[1] ?? m[2]!);
  return out;
}

/** Splits on `&&` outside quotes and braces. */
function terms(expression: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '{' || c === '(') depth++;
    else if (c === '}' || c === ')') depth--;
    else if (depth === 0 && expression.startsWith('&&', i)) {
      out.push(expression.slice(start, i).trim());
      start = i + 2;
      i++;
    } else if (depth === 0 && expression.startsWith('||', i)) throw new UnsupportedSelectorError(`"||" in ${JSON.stringify(expression)}`);
  }
  out.push(expression.slice(start).trim());
  return out;
}

export function parseCalicoSelector(expression: string): CalicoPredicate {
  const predicates = terms(expression.trim() === '' ? 'all()' : expression).map((term) => {
    for (const [re, build] of TERMS) {
      const m = re.exec(term);
      if (m) return build(m);
    }
    throw new UnsupportedSelectorError(`unsupported Calico selector term ${JSON.stringify(term)}`);
  });
  return (labels) => predicates.every((p) => p(labels));
}
