// Pure view logic behind the profile editor: field paths, messages by field, selector text, presets.
import assert from 'node:assert/strict';
import { checkProfile } from '../../src/console/view/issues.js';
import { getAt, pathKey, setAt } from '../../src/console/view/paths.js';
import { newProfile, newRule, peerKind, withPeerKind } from '../../src/console/view/presets.js';
import { listToText, selectorToText, textToList, textToSelector } from '../../src/console/view/selector-text.js';
import { profileDoc } from './fixtures.js';

describe('console view: field paths', () => {
  it('formats paths as the CLI and the compiler name fields', () => {
    assert.equal(pathKey(['spec', 'allow', 0, 'to', 'ipBlock', 'cidr']), 'spec.allow[0].to.ipBlock.cidr');
    assert.equal(pathKey([]), '');
  });

  it('sets a nested field without touching the original, creating parents', () => {
    const doc = { spec: { allow: [{ name: 'a' }] } };
    const next = setAt(doc, ['spec', 'allow', 0, 'to', 'ipBlock', 'cidr'], '10.0.0.0/8');
    assert.deepEqual(getAt(next, ['spec', 'allow', 0]), { name: 'a', to: { ipBlock: { cidr: '10.0.0.0/8' } } });
    assert.deepEqual(doc, { spec: { allow: [{ name: 'a' }] } });
  });

  it('removes object keys and array items when set to undefined', () => {
    const doc = { spec: { allow: [{ name: 'a' }, { name: 'b' }], dns: { namespace: 'x' } } };
    assert.deepEqual(getAt(setAt(doc, ['spec', 'allow', 0], undefined), ['spec', 'allow']), [{ name: 'b' }]);
    assert.deepEqual(getAt(setAt(doc, ['spec', 'dns', 'namespace'], undefined), ['spec', 'dns']), {});
  });
});

describe('console view: validation messages by field', () => {
  const withCidr = (cidr: string) => profileDoc('p', { allow: [{ name: 'r', from: { podSelector: {} }, to: { ipBlock: { cidr } } }] });

  it('puts the schema message for a bad CIDR on that CIDR field', () => {
    const check = checkProfile(withCidr('10.0.0.0/33'));
    assert.deepEqual(check.issues.get('spec.allow[0].to.ipBlock.cidr'), ['must be a CIDR such as 10.0.0.0/8 or fd00::/8']);
    assert.equal(check.profile, undefined);
  });

  it("puts the compiler's error (a rule reopening the metadata endpoint) on its field", () => {
    const check = checkProfile(withCidr('169.254.169.254/32'));
    assert.match(check.issues.get('spec.allow[0].to.ipBlock.cidr')?.[0] ?? '', /instance-metadata/);
    assert.ok(check.profile, 'the schema accepted it');
    assert.equal(check.compiled, undefined);
  });

  it('names unknown fields by their full path', () => {
    const check = checkProfile(profileDoc('p', { defaultDenny: {} }));
    assert.deepEqual(check.issues.get('spec.defaultDenny'), ['unknown field']);
  });

  it('shows a no-effect rule as a warning on the rule, without blocking', () => {
    const check = checkProfile(profileDoc('p', { defaultDeny: { ingress: true, egress: false }, allow: [{ name: 'ext', from: { podSelector: {} }, to: { ipBlock: { cidr: '203.0.113.0/24' } } }] }));
    assert.match(check.warnings.get('spec.allow[0]')?.[0] ?? '', /has no effect/);
    assert.ok(check.compiled, 'a warning is not an error');
  });

  it('needs the cluster facts for spec.apiServer, and compiles with them', () => {
    const spec = { apiServer: { allowFrom: [{ podSelector: { matchLabels: { app: 'operator' } } }] } };
    assert.match(checkProfile(profileDoc('p', spec)).issues.get('spec.apiServer.allowFrom')?.[0] ?? '', /endpoint addresses are not known/);
    const check = checkProfile(profileDoc('p', spec), { apiServer: { addresses: ['10.0.0.1'], ports: [{ protocol: 'TCP', port: 6443 }] } });
    assert.deepEqual(check.all, []);
    assert.ok(check.compiled?.apiServer);
  });

  it('accepts the profile a new editor starts from', () => {
    const check = checkProfile(newProfile('fresh'));
    assert.deepEqual(check.all, []);
    assert.ok(check.compiled);
  });
});

describe('console view: selector and list text', () => {
  it('round-trips matchLabels through k=v text', () => {
    assert.equal(selectorToText({ matchLabels: { app: 'web', tier: 'db' } }), 'app=web,tier=db');
    assert.deepEqual(textToSelector(' app = web , tier=db ,').selector, { matchLabels: { app: 'web', tier: 'db' } });
    assert.deepEqual(textToSelector('').selector, {});
  });

  it('reports parts that are not label=value', () => {
    assert.deepEqual(textToSelector('app=web,oops').bad, ['oops']);
  });

  it('turns comma lists into arrays and empty text into an omitted field', () => {
    assert.deepEqual(textToList('10.0.0.0/8, 192.168.0.0/16,'), ['10.0.0.0/8', '192.168.0.0/16']);
    assert.equal(textToList('  '), undefined);
    assert.equal(listToText(['a', 'b']), 'a, b');
  });
});

describe('console view: portal presets', () => {
  it('switches a destination between the three peer kinds, keeping the pod selector', () => {
    const pods = { podSelector: { matchLabels: { app: 'db' } } };
    assert.equal(peerKind(pods), 'same-namespace');
    const other = withPeerKind(pods, 'other-namespaces');
    assert.deepEqual(other, { podSelector: { matchLabels: { app: 'db' } }, namespaceSelector: {} });
    assert.equal(peerKind(other), 'other-namespaces');
    const ip = withPeerKind(other, 'ip-block');
    assert.deepEqual(ip, { ipBlock: { cidr: '' } });
    assert.equal(peerKind(ip), 'ip-block');
  });

  it('names a new rule with a free name', () => {
    assert.equal(newRule([{ name: 'rule-2' }]).name, 'rule-3');
    assert.equal(newRule([{ name: 'rule-1' }, { name: 'rule-3' }]).name, 'rule-4');
  });
});
