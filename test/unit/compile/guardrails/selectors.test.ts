// The selector algebra of the guardrails: AND, negation, and the negated union that leaves metadata
// exceptions out of a Cilium deny. Tables, then properties against the one selector matcher.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LabelSelectorRequirement } from '../../../../src/api/networkpolicy.js';
import { andSelectors, negate, negatedUnion, requirements } from '../../../../src/compile/guardrails/selectors.js';
import { selectorMatches } from '../../../../src/compile/select.js';

const key = fc.constantFrom('app', 'team', 'tier');
const value = fc.constantFrom('a', 'b', 'c');
const requirement: fc.Arbitrary<LabelSelectorRequirement> = fc.oneof(
  fc.record({ key, operator: fc.constantFrom('In', 'NotIn'), values: fc.uniqueArray(value, { minLength: 1, maxLength: 2 }) }),
  fc.record({ key, operator: fc.constantFrom('Exists', 'DoesNotExist') }),
);
const selectorArb = fc.record({ matchLabels: fc.dictionary(key, value, { maxKeys: 2 }), matchExpressions: fc.array(requirement, { maxLength: 2 }) }, { requiredKeys: [] });
const labels = fc.dictionary(key, value, { maxKeys: 3 });
const matchesAll = (reqs: LabelSelectorRequirement[], l: Record<string, string>) => selectorMatches({ matchExpressions: reqs }, l);

describe('guardrails: selector algebra', () => {
  const cases: [LabelSelectorRequirement, LabelSelectorRequirement][] = [
    [{ key: 'app', operator: 'In', values: ['a'] }, { key: 'app', operator: 'NotIn', values: ['a'] }],
    [{ key: 'app', operator: 'NotIn', values: ['a', 'b'] }, { key: 'app', operator: 'In', values: ['a', 'b'] }],
    [{ key: 'app', operator: 'Exists' }, { key: 'app', operator: 'DoesNotExist' }],
    [{ key: 'app', operator: 'DoesNotExist' }, { key: 'app', operator: 'Exists' }],
  ];
  for (const [req, expected] of cases) it(`negates ${req.operator} into ${expected.operator}`, () => assert.deepEqual(negate(req), expected));

  it('matchLabels become In requirements', () => {
    assert.deepEqual(requirements({ matchLabels: { app: 'a' }, matchExpressions: [{ key: 't', operator: 'Exists' }] }), [
      { key: 'app', operator: 'In', values: ['a'] },
      { key: 't', operator: 'Exists' },
    ]);
  });

  it('a negated requirement matches exactly the labels the requirement does not', () => {
    fc.assert(fc.property(requirement, labels, (req, l) => matchesAll([negate(req)], l) === !matchesAll([req], l)));
  });

  it('andSelectors matches exactly what both selectors match (also with a key in both)', () => {
    fc.assert(fc.property(selectorArb, selectorArb, labels, (a, b, l) => selectorMatches(andSelectors(a, b), l) === (selectorMatches(a, l) && selectorMatches(b, l))));
  });

  it('the negated union matches exactly the labels that no conjunction matches', () => {
    fc.assert(
      fc.property(fc.array(fc.array(requirement, { maxLength: 3 }), { maxLength: 3 }), labels, (conjunctions, l) => {
        const union = negatedUnion(conjunctions, 1000)!;
        const inUnion = union.some((reqs) => matchesAll(reqs, l));
        const inNone = conjunctions.every((c) => !matchesAll(c, l));
        return inUnion === inNone;
      }),
    );
  });

  it('the negated union of a match-everything conjunction is empty, and over the limit it is undefined', () => {
    assert.deepEqual(negatedUnion([[{ key: 'app', operator: 'Exists' }], []], 10), []);
    assert.deepEqual(negatedUnion([], 10), [[]]);
    const three = [0, 1, 2].map((i) => ({ key: `k${i}`, operator: 'Exists' as const }));
    assert.equal(negatedUnion([three, three.map((r) => ({ ...r, key: `${r.key}x` }))], 8), undefined);
    assert.equal(negatedUnion([three, three.map((r) => ({ ...r, key: `${r.key}x` }))], 9)!.length, 9);
  });
});
