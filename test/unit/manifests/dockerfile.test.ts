// The Dockerfile and .dockerignore, checked without a Docker engine: what each stage does, the runtime
// image's user and entrypoint, that the entrypoint is what `npm run build` produces and that production
// dependencies are enough to run it, and what the build context keeps out. (docs/install.md says how the
// build steps themselves were exercised.)
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isIgnored, parseDockerfile, parseDockerignore, type Stage } from './dockerfile.js';
import { MANIFESTS_DIR, REPO_ROOT, loadKustomization } from './load.js';
import { operatorContainer, operatorPodSpec } from './operator-pod.js';

const dockerfile = parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
const ignore = parseDockerignore(readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { type?: string; bin?: Record<string, string>; dependencies?: Record<string, string> };
const runtime = dockerfile.stages.at(-1)!;
const runs = (s: Stage) => s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
const stageNamed = (name: string) => dockerfile.stages.find((s) => s.name === name);
const copies = (s: Stage) =>
  s.instructions
    .filter((i) => i.keyword === 'COPY')
    .map((i) => {
      const words = i.args.split(/\s+/);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const paths = words.filter((w) => !w.startsWith('--'));
      return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
    });

describe('Dockerfile', () => {
  it('uses a pinned Node 24 base for every stage (a version tag or a digest, never latest)', () => {
    assert.ok(dockerfile.stages.length >= 2, 'not multi-stage');
    for (const s of dockerfile.stages) {
      assert.match(s.image, /^(node:24[\w.-]*|gcr\.io\/distroless\/nodejs24[\w.-]*)(@sha256:[a-f0-9]{64})?$|^[^:]+@sha256:[a-f0-9]{64}$/, s.image);
      assert.doesNotMatch(s.image, /:latest\b/);
    }
  });

  it('compiles in a build stage (npm ci, npm run build) and installs production dependencies without scripts', () => {
    const build = dockerfile.stages.find((s) => runs(s).some((r) => /\bnpm run build\b/.test(r)));
    assert.ok(build, 'no stage runs npm run build');
    assert.ok(runs(build).some((r) => /\bnpm ci\b/.test(r)), 'build stage does not npm ci');
    const deps = dockerfile.stages.find((s) => runs(s).some((r) => /\bnpm ci\b.*--omit=dev/.test(r)));
    assert.ok(deps, 'no stage runs npm ci --omit=dev');
    // `prepare` (tsc) would run during npm ci without --ignore-scripts, and fail without devDependencies.
    assert.ok(runs(deps).filter((r) => /\bnpm ci\b/.test(r)).every((r) => r.includes('--ignore-scripts')));
    assert.notEqual(deps, build);
    // The runtime stage takes node_modules from the production install and dist from the build.
    const fromRuntime = copies(runtime).filter((c) => c.from);
    assert.deepEqual(fromRuntime.find((c) => c.dest.includes('node_modules'))?.from, deps.name);
    assert.deepEqual(fromRuntime.find((c) => c.dest.includes('dist'))?.from, build.name);
    assert.ok(!runs(runtime).length, 'the runtime stage runs nothing (no shell needed)');
  });

  it('runs as a numeric non-root user, the one the Deployment declares', () => {
    const users = runtime.instructions.filter((i) => i.keyword === 'USER');
    assert.equal(users.length, 1);
    const [uid, gid] = users[0]!.args.split(':').map(Number);
    assert.ok(Number.isInteger(uid) && uid! > 0, `USER ${users[0]!.args} is not a numeric non-root uid`);
    const pod = operatorPodSpec(loadKustomization(MANIFESTS_DIR));
    assert.equal(pod.securityContext?.runAsUser, uid);
    assert.equal(pod.securityContext?.runAsGroup, gid);
  });

  it('has an exec-form ENTRYPOINT running the compiled operator, which the Deployment does not override', () => {
    const entry = runtime.instructions.filter((i) => i.keyword === 'ENTRYPOINT');
    assert.equal(entry.length, 1);
    assert.deepEqual(JSON.parse(entry[0]!.args), ['node', '--optimize-for-size', 'dist/cli/main.js', 'run']);
    assert.ok(!runtime.instructions.some((i) => i.keyword === 'CMD'));
    assert.equal(operatorContainer(loadKustomization(MANIFESTS_DIR)).command, undefined);
  });

  it('exposes the ports the Deployment declares', () => {
    const exposed = runtime.instructions.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => i.args.split(/\s+/).map(Number)).sort();
    const declared = (operatorContainer(loadKustomization(MANIFESTS_DIR)).ports ?? []).map((p) => p.containerPort).sort();
    assert.deepEqual(exposed, declared);
  });

  it('the entrypoint is what `npm run build` emits: src/cli/main.ts compiled with rootDir src, outDir dist', () => {
    const build = JSON.parse(readFileSync(join(REPO_ROOT, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: { rootDir: string; outDir: string } };
    assert.equal(build.compilerOptions.rootDir, 'src');
    assert.equal(build.compilerOptions.outDir, 'dist');
    assert.ok(existsSync(join(REPO_ROOT, 'src/cli/main.ts')));
    // And the build output has it (npm ci builds through the `prepare` script; or run npm run build).
    const built = join(REPO_ROOT, 'dist/cli/main.js');
    assert.ok(existsSync(built), 'dist/cli/main.js missing: run npm run build');
    assert.match(readFileSync(built, 'utf8'), /await import\('\.\/cli\.js'\)/);
    assert.match(readFileSync(join(REPO_ROOT, 'dist/cli/cli.js'), 'utf8'), /buildProgram\(\)/);
    assert.equal(pkg.bin?.segmentation, 'dist/cli/main.js');
    // The compiled files are ES modules: the runtime image needs package.json's "type": "module".
    assert.equal(pkg.type, 'module');
    assert.ok(copies(runtime).some((c) => !c.from && c.sources.includes('package.json')), 'runtime stage does not copy package.json');
  });

  it('production dependencies are enough: everything src/ imports at run time is a builtin or a dependency', () => {
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
    const missing: string[] = [];
    for (const file of files(join(REPO_ROOT, 'src'))) {
      const text = readFileSync(file, 'utf8').replace(/import\s+type\s[\s\S]*?from\s+'[^']+';?/g, '');
      for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)'([^'.][^']*)'/g)) {
        const spec = m[1]!;
        if (spec.startsWith('node:')) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (!pkg.dependencies?.[name]) missing.push(`${relative(REPO_ROOT, file)}: ${spec}`);
      }
    }
    assert.deepEqual(missing, []);
  });
});

describe('.dockerignore', () => {
  it('keeps tests, node_modules, dist, .git, docs, manifests and secrets out of the build context', () => {
    const out = ['.git/config', 'node_modules/yaml/index.js', 'dist/cli/main.js', 'test/unit/manifests/load.ts', 'test', 'bench/x.ts', 'docs/install.md', 'manifests/deployment.yaml', '.cache/x', 'debug.log',
      '.env', '.env.local', 'src/.env', 'tls.key', 'certs/server.pem', 'src/kube/client.key', 'admin.kubeconfig', 'src/kubeconfig', 'src/dev.kubeconfig', 'src/kube/client.test.ts', 'src/node_modules/x.js'];
    for (const p of out) assert.equal(isIgnored(ignore, p), true, `${p} would be in the build context`);
  });

  it('keeps what the Dockerfile copies', () => {
    const sources = dockerfile.stages.flatMap((s) => copies(s).filter((c) => !c.from).flatMap((c) => c.sources));
    assert.ok(sources.length >= 4);
    for (const s of sources) assert.equal(isIgnored(ignore, s.replace(/\/$/, '')), false, `COPY ${s} is excluded by .dockerignore`);
    for (const p of ['src/cli/main.ts', 'src/kube/client.ts', 'package-lock.json']) assert.equal(isIgnored(ignore, p), false, p);
  });

  it('keeps every source file (the image compiles all of src/)', () => {
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
    const dropped = files(join(REPO_ROOT, 'src')).map((f) => relative(REPO_ROOT, f)).filter((f) => isIgnored(ignore, f));
    assert.deepEqual(dropped, []);
  });

  it('matching follows the patternmatcher rules (last match wins, ! re-includes, directories cover their contents)', () => {
    const p = parseDockerignore('*\n!src/\n**/*.key\n# comment\n');
    assert.equal(isIgnored(p, 'README.md'), true);
    assert.equal(isIgnored(p, 'src/a.ts'), false);
    assert.equal(isIgnored(p, 'src/deep/b.key'), true);
    assert.equal(isIgnored(parseDockerignore('node_modules'), 'node_modules/a/b.js'), true);
    assert.equal(isIgnored(parseDockerignore('node_modules'), 'src/node_modules/a.js'), false);
  });
});
