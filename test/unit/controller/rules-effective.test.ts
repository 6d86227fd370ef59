// RulesEffective from profileWarnings: the condition every valid profile carries.
import assert from 'node:assert/strict';
import type { SegmentationProfileInput } from '../../../src/api/profile.js';
import { profileWarnings } from '../../../src/compile/warnings.js';
import { RULES_CONDITION, rulesEffectiveCondition } from '../../../src/controller/rules-effective.js';
import { profile } from '../compile/helpers.js';

const T0 = '2026-11-30T00:00:00Z';
const T1 = '2026-11-30T01:00:00Z';
const external = { name: 'to-partner', from: { podSelector: { matchLabels: { app: 'web' } } }, to: { ipBlock: { cidr: '203.0.113.0/24' } }, ports: [{ protocol: 'TCP' as const, port: 443 }] };
const pods = { name: 'web-to-api', from: { podSelector: { matchLabels: { app: 'web' } } }, to: { podSelector: { matchLabels: { app: 'api' } } } };
const openEgress = { defaultDeny: { ingress: true, egress: false } };

describe('RulesEffective condition', () => {
  const cases: [string, SegmentationProfileInput['spec'], { status: string; reason: string; message: RegExp }][] = [
    ['defaults and a pod rule: every part has an effect', { allow: [pods] }, { status: 'True', reason: 'AllRulesEffective', message: /^every rule and setting of the profile can have an effect$/ }],
    ['ipBlock destination with egress denied: effective', { allow: [external] }, { status: 'True', reason: 'AllRulesEffective', message: /can have an effect/ }],
    [
      'ipBlock destination under open egress: names the rule and why',
      { ...openEgress, allow: [pods, external] },
      { status: 'False', reason: 'RulesWithoutEffect', message: /^1 part\(s\) of the profile can have no effect \(rules: to-partner\): spec\.allow\[1\] \(rule "to-partner"\): has no effect: it allows egress to 203\.0\.113\.0\/24, but egress is not default-denied/ },
    ],
    [
      'two rules and a setting without effect: every rule named once, every warning listed',
      { ...openEgress, dns: { nodeLocalCIDRs: ['169.254.20.10/32'] }, allow: [external, { ...external, name: 'to-bank' }] },
      { status: 'False', reason: 'RulesWithoutEffect', message: /^3 part\(s\) .* \(rules: to-partner, to-bank\): .*"to-partner".* \| .*"to-bank".* \| spec\.dns\.nodeLocalCIDRs: has no effect/ },
    ],
    [
      'a setting without a rule name: no rules list',
      { instanceMetadata: { deny: false, allowFrom: [{ podSelector: { matchLabels: { app: 'agent' } } }] } },
      { status: 'False', reason: 'RulesWithoutEffect', message: /^1 part\(s\) of the profile can have no effect: spec\.instanceMetadata\.allowFrom: has no effect/ },
    ],
  ];
  for (const [what, spec, want] of cases)
    it(what, () => {
      const c = rulesEffectiveCondition(profileWarnings(profile('p', spec)), 4, undefined, T0);
      assert.equal(c.type, RULES_CONDITION);
      assert.equal(c.status, want.status);
      assert.equal(c.reason, want.reason);
      assert.match(c.message, want.message);
      assert.equal(c.observedGeneration, 4);
      assert.equal(c.lastTransitionTime, T0);
    });

  it('keeps lastTransitionTime while the status holds (a restart writes nothing) and moves it on a change', () => {
    const warnings = profileWarnings(profile('p', { ...openEgress, allow: [external] }));
    const first = rulesEffectiveCondition(warnings, 1, undefined, T0);
    assert.deepEqual(rulesEffectiveCondition(warnings, 1, [first], T1), first);
    const fixed = rulesEffectiveCondition([], 2, [first], T1);
    assert.equal(fixed.status, 'True');
    assert.equal(fixed.lastTransitionTime, T1);
  });

  it('bounds the message', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ ...external, name: `rule-${i}` }));
    const c = rulesEffectiveCondition(profileWarnings(profile('p', { ...openEgress, allow: many })), 1, undefined, T0);
    assert.equal(c.message.length, 1024);
    assert.match(c.message, /^60 part\(s\).*\.\.\.$/);
  });
});
