// The CLI on the wrong Node says so in one line instead of crashing while loading its HTTP client.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { nodeVersionProblem, REQUIRED_NODE_MAJOR } from '../../../src/cli/node-version.js';

describe('segmentation on an old Node', () => {
  it('accepts Node 24 and later, refuses older ones with a one-line fix', () => {
    assert.equal(nodeVersionProblem('24.0.0', '/n'), undefined);
    assert.equal(nodeVersionProblem('26.10.0', '/n'), undefined);
    for (const old of ['20.20.2', '22.12.0', '23.9.9']) {
      const line = nodeVersionProblem(old, '/usr/bin/node')!;
      assert.match(line, new RegExp(`^error: segmentation needs Node\\.js >= ${REQUIRED_NODE_MAJOR}, but /usr/bin/node is v${old.replace(/\./g, '\\.')}: run it as \`npx segmentation`));
      assert.equal(line.includes('\n'), false);
    }
  });

  it('checks before anything else is loaded: main.ts imports only the version check statically', () => {
    const main = readFileSync(new URL('../../../src/cli/main.ts', import.meta.url), 'utf8');
    const staticImports = [...main.matchAll(/^import .* from '(.*)';$/gm)].map((m) => m[1]);
    assert.deepEqual(staticImports, ['./node-version.js']);
    assert.match(main, /await import\('\.\/cli\.js'\)/);
  });

  it('package.json declares no engines: npm on the machine\'s Node would warn on every npx call, while the project runs its own Node 24', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { engines?: unknown; devDependencies?: Record<string, string> };
    assert.equal(pkg.engines, undefined);
    assert.match(pkg.devDependencies?.node ?? '', new RegExp(`^\\^${REQUIRED_NODE_MAJOR}\\.`));
  });
});
