// LabelSelector matching: table cases for each operator and algebraic properties.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { V1LabelSelector, V1LabelSelectorRequirement } from '@kubernetes/client-node';
import { describeSelector, parseLabelList, selectorMatches, selectsEverything } from '../../../src/analysis/selector.js';

const labels = { app: 'web', tier: 'frontend' };

describe('selector', () => {
  const cases: Array<[string, V1LabelSelector, boolean]> = [
    ['empty selector', {}, true],
    ['matchLabels subset', { matchLabels: { app: 'web' } }, true],
    ['matchLabels wrong value', { matchLabels: { app: 'db' } }, false],
    ['matchLabels missing key', { matchLabels: { env: 'prod' } }, false],
    ['In with the value', { matchExpressions: [{ key: 'app', operator: 'In', values: ['db', 'web'] }] }, true],
    ['In without the value', { matchExpressions: [{ key: 'app', operator: 'In', values: ['db'] }] }, false],
    ['In on a missing key', { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }, false],
    ['NotIn with the value', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, false],
    ['NotIn without the value', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db'] }] }, true],
    ['NotIn on a missing key matches', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, true],
    ['Exists', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    ['Exists on a missing key', { matchExpressions: [{ key: 'env', operator: 'Exists' }] }, false],
    ['DoesNotExist', { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, true],
    ['DoesNotExist on a present key', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    ['matchLabels AND expressions', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend'] }] }, false],
    ['unknown operator matches nothing', { matchExpressions: [{ key: 'app', operator: 'Gt', values: ['1'] }] }, false],
  ];
  for (const [name, selector, expected] of cases) {
    it(`${name} -> ${expected}`, () => assert.equal(selectorMatches(selector, labels), expected));
  }

  it('does not treat inherited object keys as labels', () => {
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, {}), false);
  });

  describe('properties', () => {
    const key = fc.constantFrom('app', 'tier', 'env', 'team');
    const value = fc.constantFrom('a', 'b', 'c');
    const labelSet = fc.dictionary(key, value);
    const requirement: fc.Arbitrary<V1LabelSelectorRequirement> = fc.oneof(
      fc.record({ key, operator: fc.constantFrom('In', 'NotIn'), values: fc.array(value, { minLength: 1, maxLength: 3 }) }),
      fc.record({ key, operator: fc.constantFrom('Exists', 'DoesNotExist') }),
    );
    const selector: fc.Arbitrary<V1LabelSelector> = fc.record({ matchLabels: fc.dictionary(key, value), matchExpressions: fc.array(requirement, { maxLength: 3 }) });
    const negate: Record<string, string> = { In: 'NotIn', NotIn: 'In', Exists: 'DoesNotExist', DoesNotExist: 'Exists' };

    it('each operator is the negation of its opposite', () => {
      fc.assert(fc.property(requirement, labelSet, (req, ls) => {
        assert.equal(selectorMatches({ matchExpressions: [req] }, ls), !selectorMatches({ matchExpressions: [{ ...req, operator: negate[req.operator]! }] }, ls));
      }));
    });
    it('a selector is the conjunction of its parts', () => {
      fc.assert(fc.property(selector, labelSet, (sel, ls) => {
        const parts = [
          ...Object.entries(sel.matchLabels ?? {}).map(([k, v]): V1LabelSelector => ({ matchLabels: { [k]: v } })),
          ...(sel.matchExpressions ?? []).map((e): V1LabelSelector => ({ matchExpressions: [e] })),
        ];
        assert.equal(selectorMatches(sel, ls), parts.every((p) => selectorMatches(p, ls)));
      }));
    });
    it('matchLabels taken from the labels themselves always match', () => {
      fc.assert(fc.property(labelSet, (ls) => assert.equal(selectorMatches({ matchLabels: ls }, ls), true)));
    });
    it('the empty selector matches every label set', () => {
      fc.assert(fc.property(labelSet, (ls) => assert.equal(selectorMatches({}, ls), true)));
    });
  });

  describe('helpers', () => {
    it('selectsEverything only for empty selectors', () => {
      assert.equal(selectsEverything({}), true);
      assert.equal(selectsEverything({ matchLabels: {}, matchExpressions: [] }), true);
      assert.equal(selectsEverything({ matchLabels: { a: 'b' } }), false);
    });
    it('describes selectors compactly', () => {
      assert.equal(describeSelector({}), '(all)');
      assert.equal(describeSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['a', 'b'] }, { key: 'x', operator: 'DoesNotExist' }] }), 'app=web,env notin (a,b),!x');
    });
    it('parses label lists', () => {
      assert.deepEqual(parseLabelList('app=backend,tier=x'), { app: 'backend', tier: 'x' });
      assert.deepEqual(parseLabelList('app.kubernetes.io/name=db'), { 'app.kubernetes.io/name': 'db' });
      assert.equal(parseLabelList('app'), undefined);
      assert.equal(parseLabelList('a=1,a=2'), undefined);
      assert.equal(parseLabelList('=x'), undefined);
    });
  });
});
