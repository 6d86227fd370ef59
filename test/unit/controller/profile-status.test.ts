import assert from 'node:assert/strict';
import type { Condition } from '../../../src/api/profile.js';
import { transitionEvents } from '../../../src/controller/profile-status.js';
import { ENGINE_CONDITION, METADATA_CONDITION } from '../../../src/controller/findings.js';
import { RULES_CONDITION } from '../../../src/controller/rules-effective.js';

const c = (type: string, status: Condition['status'], message = `${type} ${status}`): Condition => ({ type, status, reason: 'R', message, lastTransitionTime: '2026-01-01T00:00:00Z' });

describe('transitionEvents (Warning Events owed when a condition turns False)', () => {
  const table: [string, Condition[] | undefined, Condition[], string[]][] = [
    // case, previous conditions, new conditions, event reasons
    ['turns False', [c(ENGINE_CONDITION, 'True')], [c(ENGINE_CONDITION, 'False')], ['NoPolicyEngine']],
    ['first status, False', undefined, [c(RULES_CONDITION, 'False'), c(METADATA_CONDITION, 'False')], ['RulesWithoutEffect', 'MetadataEndpointReopened']],
    ['stays False (a restart): none', [c(ENGINE_CONDITION, 'False')], [c(ENGINE_CONDITION, 'False')], []],
    ['True: none', [c(ENGINE_CONDITION, 'False')], [c(ENGINE_CONDITION, 'True')], []],
    ['a condition without an Event reason: none', undefined, [c('Ready', 'False')], []],
  ];
  for (const [what, previous, conditions, reasons] of table) {
    it(what, () => assert.deepEqual(transitionEvents(previous, conditions).map((e) => e.reason), reasons));
  }

  it('carries the condition message once, capped at 1024 characters', () => {
    const [e] = transitionEvents(undefined, [c(ENGINE_CONDITION, 'False', 'x'.repeat(2000))]);
    assert.equal(e!.message.length, 1024);
  });
});
