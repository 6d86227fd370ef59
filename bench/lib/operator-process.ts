// Driver side of the operator child process: spawn, start (resolves when caches synced), idle, stats,
// stop. The child's stderr (the operator's JSON logs) goes to a file.
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ChildOptions, ChildStats, FromChild, ToChild } from './protocol.js';

const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPO = join(BENCH_DIR, '..');
const CHILD_TS = join(BENCH_DIR, 'operator-child.ts');
/** Where bench/tsconfig.child.json compiles the child and the sources it imports. */
const CHILD_JS = join(BENCH_DIR, '.build', 'bench', 'operator-child.js');

/**
 * How the operator child runs. `compiled`: plain JavaScript compiled by tsc, as the operator runs in
 * production (`node dist/cli/main.js run`); its memory is the operator's own. `tsx`: TypeScript loaded
 * through tsx's loader hooks (no build step, but the loader thread and transpiler add tens of MB of RSS).
 */
export type ChildRuntime = 'compiled' | 'tsx';

/** Compiles bench/operator-child.ts and what it imports into bench/.build (tsc, the project's compiler). */
export async function buildChild(): Promise<void> {
  const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', join(BENCH_DIR, 'tsconfig.child.json')], { cwd: REPO });
  if (!existsSync(CHILD_JS)) throw new Error(`tsc did not produce ${CHILD_JS}`);
}

export interface SpawnOptions extends ChildOptions {
  /** File for the operator's logs (stdout and stderr). */
  logFile: string;
  /** Directory for a V8 CPU profile (node --cpu-prof); none when undefined. */
  cpuProfDir?: string;
  /** Default `compiled` (call buildChild() first). */
  runtime?: ChildRuntime;
  /** Extra node flags for the operator process, e.g. --max-old-space-size=128. */
  nodeOptions?: string[];
  /** Extra environment of the operator process (e.g. MALLOC_ARENA_MAX from the Deployment). */
  env?: Record<string, string>;
}

export interface ReadyInfo {
  /** Operator.start() until caches synced, measured in the child. */
  startSeconds: number;
  /** Process spawn (node + tsx start-up included) until caches synced. */
  sinceSpawnSeconds: number;
}

export class OperatorProcess {
  private nextId = 1;
  private readonly waiters = new Map<number, (msg: FromChild) => void>();
  private readyWaiter?: { resolve: (r: ReadyInfo) => void; reject: (e: Error) => void };
  private stoppedWaiter?: () => void;
  private exited = false;
  private readonly exitPromise: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly logFd: number,
  ) {
    this.exitPromise = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exited = true;
        closeSync(this.logFd);
        const err = new Error(`operator child exited (${signal ?? code})`);
        this.readyWaiter?.reject(err);
        this.stoppedWaiter?.();
        resolve();
      }),
    );
    child.on('message', (raw) => {
      const msg = raw as FromChild;
      switch (msg.ev) {
        case 'ready':
          this.readyWaiter?.resolve({ startSeconds: msg.startSeconds, sinceSpawnSeconds: msg.sinceSpawnSeconds });
          this.readyWaiter = undefined;
          return;
        case 'idle':
        case 'stats':
          this.waiters.get(msg.id)?.(msg);
          this.waiters.delete(msg.id);
          return;
        case 'stopped':
          this.stoppedWaiter?.();
          return;
        case 'error':
          this.readyWaiter?.reject(new Error(`operator child: ${msg.message}`));
          process.stderr.write(`[bench] operator child error: ${msg.message}\n`);
          return;
      }
    });
  }

  /** Spawns the child and starts the operator; resolves when its caches are synced. */
  static async start(opts: SpawnOptions): Promise<{ proc: OperatorProcess; ready: ReadyInfo }> {
    const logFd = openSync(opts.logFile, 'a');
    const tsx = opts.runtime === 'tsx';
    // --expose-gc only lets stats({ gc: true }) measure the retained heap; nothing else calls gc().
    const execArgv = [...(tsx ? ['--import', 'tsx'] : []), '--expose-gc', ...(opts.nodeOptions ?? []), ...(opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [])];
    const child = fork(tsx ? CHILD_TS : CHILD_JS, [], {
      execPath: process.execPath,
      execArgv,
      stdio: ['ignore', logFd, logFd, 'ipc'],
      env: { ...process.env, ...opts.env, BENCH_SPAWNED_AT: String(Date.now()) },
    });
    const proc = new OperatorProcess(child, logFd);
    const ready = new Promise<ReadyInfo>((resolve, reject) => (proc.readyWaiter = { resolve, reject }));
    const { logFile: _l, cpuProfDir: _c, runtime: _r, nodeOptions: _n, env: _e, ...options } = opts;
    proc.send({ cmd: 'start', options });
    return { proc, ready: await ready };
  }

  private send(msg: ToChild): void {
    if (this.exited) throw new Error('operator child has exited');
    this.child.send(msg);
  }

  private request(make: (id: number) => ToChild): Promise<FromChild> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiters.set(id, resolve);
      void this.exitPromise.then(() => reject(new Error('operator child exited')));
      this.send(make(id));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves when the operator's queue is empty, nothing is in flight and no status write is pending. */
  async idle(): Promise<void> {
    await this.request((id) => ({ cmd: 'idle', id }));
  }

  /** Current figures; `resetLoopDelay` starts a new event-loop delay window after this reading. */
  async stats({ resetPeaks = false, resetLoopDelay = false, gc = false }: { resetPeaks?: boolean; resetLoopDelay?: boolean; gc?: boolean } = {}): Promise<ChildStats> {
    const msg = await this.request((id) => ({ cmd: 'stats', id, resetPeaks, resetLoopDelay, gc }));
    if (msg.ev !== 'stats') throw new Error('unexpected reply');
    return msg.stats;
  }

  /** Graceful stop (drain, flush status), then the process exits. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const stopped = new Promise<void>((resolve) => (this.stoppedWaiter = resolve));
    this.send({ cmd: 'stop' });
    await stopped;
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exitPromise;
    clearTimeout(killer);
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

/** Writes to networkpolicies in a writes snapshot (resource/verb -> count). */
export function policyWrites(writes: Record<string, number>): number {
  let n = 0;
  for (const [k, v] of Object.entries(writes)) if (k.startsWith('networkpolicies/')) n += v;
  return n;
}

export function statusWrites(writes: Record<string, number>): number {
  let n = 0;
  for (const [k, v] of Object.entries(writes)) if (k.startsWith('segmentationprofiles/status/')) n += v;
  return n;
}

export function diffWrites(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) !== 0) out[k] = v - (before[k] ?? 0);
  return out;
}

export interface ImportCost {
  /** A bare node process. */
  nodeRssMb: number;
  /** After importing @kubernetes/client-node only. */
  clientNodeRssMb: number;
  clientNodeHeapMb: number;
  /** After importing the compiled operator (src/controller/operator.js) and nothing else: its code alone. */
  operatorCodeRssMb: number;
  operatorCodeHeapMb: number;
}

/** Memory a fresh process needs just to load code (after a full GC): the floor under the operator's RSS. */
export async function measureImportCost(): Promise<ImportCost> {
  const probe = async (specifier: string | undefined) => {
    const script = `${specifier ? `await import(${JSON.stringify(specifier)});` : ''} gc(); const m = process.memoryUsage(); console.log(JSON.stringify({ rss: m.rss / 1048576, heap: m.heapUsed / 1048576 }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { cwd: REPO });
    return JSON.parse(stdout) as { rss: number; heap: number };
  };
  const bare = await probe(undefined);
  const clientNode = await probe('@kubernetes/client-node');
  const operator = await probe(join(BENCH_DIR, '.build', 'src', 'controller', 'operator.js'));
  return { nodeRssMb: bare.rss, clientNodeRssMb: clientNode.rss, clientNodeHeapMb: clientNode.heap, operatorCodeRssMb: operator.rss, operatorCodeHeapMb: operator.heap };
}
