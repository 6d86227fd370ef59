// The one LabelSelector matcher and formatter (compiler and analysis alike): table cases for each
// operator, algebraic properties, and profile targeting through the same matcher.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { V1LabelSelector, V1LabelSelectorRequirement } from '@kubernetes/client-node';
import { formatSelector, namespaceInfo, profileSelectsNamespace, selectorMatches, selectsEverything } from '../../../src/compile/select.js';
import type { LabelSelector } from '../../../src/api/profile.js';
import { profile } from './helpers.js';

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
    ['unknown operator on a missing key matches nothing', { matchExpressions: [{ key: 'env', operator: 'Gt', values: ['1'] }] }, false],
    ['operators are case-sensitive: "in" is unknown', { matchExpressions: [{ key: 'app', operator: 'in', values: ['web'] }] }, false],
    ['an unknown operator beside a matching one matches nothing', { matchExpressions: [{ key: 'app', operator: 'Exists' }, { key: 'app', operator: 'Like' }] }, false],
  ];
  for (const [name, selector, expected] of cases) {
    it(`${name} -> ${expected}`, () => assert.equal(selectorMatches(selector, labels), expected));
  }

  it('does not treat inherited object keys as labels', () => {
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, {}), false);
    assert.equal(selectorMatches({ matchLabels: { toString: 'x' } }, {}), false);
  });

  it('an unknown operator never throws', () => {
    assert.doesNotThrow(() => selectorMatches({ matchExpressions: [{ key: 'app', operator: '' }] }, labels));
  });

  describe('profile targeting uses the same matcher', () => {
    const ns = namespaceInfo('shop', { team: 'a' });
    const withSelector = (namespaceSelector: LabelSelector) => {
      const p = profile('p');
      return { ...p, spec: { ...p.spec, namespaceSelector } };
    };
    it('targets a namespace whose labels match spec.namespaceSelector', () => {
      assert.equal(profileSelectsNamespace(withSelector({ matchExpressions: [{ key: 'team', operator: 'In', values: ['a'] }] }), ns), true);
      assert.equal(profileSelectsNamespace(withSelector({ matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }] }), ns), false);
    });
    it('an unknown operator (past the schema) targets nothing', () => {
      const unknown = { matchExpressions: [{ key: 'team', operator: 'Gt', values: ['1'] }] } as unknown as LabelSelector;
      assert.equal(profileSelectsNamespace(withSelector(unknown), ns), false);
    });
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
    it('formats selectors as kubectl prints them', () => {
      assert.equal(formatSelector({}), '(all)');
      assert.equal(formatSelector({ matchLabels: {}, matchExpressions: [] }, 'all'), 'all');
      assert.equal(
        formatSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'env', operator: 'NotIn', values: ['a', 'b'] }, { key: 'y', operator: 'Exists' }, { key: 'x', operator: 'DoesNotExist' }] }),
        'app=web,tier in (a,b),env notin (a,b),y,!x',
      );
    });
    it('prints an unknown operator as it is, never as another operator', () => {
      assert.equal(formatSelector({ matchExpressions: [{ key: 'n', operator: 'Gt', values: ['1'] }] }), 'n Gt (1)');
    });
    it('namespaceInfo sets the name label the API server sets, over any other value', () => {
      assert.deepEqual(namespaceInfo('shop', { team: 'a', 'kubernetes.io/metadata.name': 'other' }), { name: 'shop', labels: { team: 'a', 'kubernetes.io/metadata.name': 'shop' } });
      assert.deepEqual(namespaceInfo('shop').labels, { 'kubernetes.io/metadata.name': 'shop' });
    });
  });
});
