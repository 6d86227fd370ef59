// The RulesEffective condition: does every part of a valid profile have an effect? From profileWarnings
// (src/compile/warnings.ts), the same list `segmentation validate` and `render` print. Pure.
import type { Condition } from '../api/profile.js';
import { formatWarning, type ProfileWarning } from '../compile/warnings.js';
import { condition } from './status.js';

export const RULES_CONDITION = 'RulesEffective';
/** Reason of the False condition and of the Warning Event recorded when it turns False. */
export const RULES_WITHOUT_EFFECT = 'RulesWithoutEffect';

const MAX_MESSAGE = 1024;

export function rulesEffectiveCondition(warnings: readonly ProfileWarning[], generation: number, previous: readonly Condition[] | undefined, now: string): Condition {
  if (warnings.length === 0) return condition(RULES_CONDITION, 'True', 'AllRulesEffective', 'every rule and setting of the profile can have an effect', generation, previous, now);
  const rules = [...new Set(warnings.flatMap((w) => (w.rule ? [w.rule] : [])))];
  const head = `${warnings.length} part(s) of the profile can have no effect${rules.length > 0 ? ` (rules: ${rules.join(', ')})` : ''}: `;
  const message = `${head}${warnings.map(formatWarning).join(' | ')}`;
  return condition(RULES_CONDITION, 'False', RULES_WITHOUT_EFFECT, message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 3)}...` : message, generation, previous, now);
}
