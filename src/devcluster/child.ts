// One long-running child process (etcd, kube-apiserver, ...) whose output
// goes straight to a log file, and that is stopped by PID only.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { onProcessExit } from './cleanup.js';

export interface ChildSpec {
  /** Short name used in messages, e.g. "kube-apiserver". */
  name: string;
  command: string;
  args: string[];
  /** stdout and stderr are appended to this file. */
  logFile: string;
  cwd?: string;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

// Linux: `setpriv --pdeathsig KILL` (util-linux) sets PR_SET_PDEATHSIG and
// execs the binary, so the kernel kills the child if this Node process dies
// in any way, even by SIGKILL, when no JS handler can run. Node itself has no
// prctl binding. Without setpriv we rely on the exit/signal handlers alone.
let pdeathsigWrapper: string[] | undefined;
function parentDeathWrapper(): string[] {
  if (pdeathsigWrapper === undefined) {
    const probe = process.platform === 'linux'
      ? spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true'], { stdio: 'ignore' })
      : undefined;
    pdeathsigWrapper = probe?.status === 0 ? ['setpriv', '--pdeathsig', 'KILL', '--'] : [];
  }
  return pdeathsigWrapper;
}

export class Child {
  readonly name: string;
  readonly logFile: string;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ExitStatus>;
  private readonly proc: ChildProcess;
  private exitStatus: ExitStatus | undefined;
  private readonly unregister: () => void;

  private constructor(spec: ChildSpec) {
    this.name = spec.name;
    this.logFile = spec.logFile;
    const [wrapper, ...wrapperArgs] = [...parentDeathWrapper(), spec.command, ...spec.args];
    const logFd = openSync(spec.logFile, 'a');
    try {
      // Not detached: the child stays in our process group, so a terminal's
      // Ctrl-C reaches it too. The log fd is inherited; no pipes through Node.
      this.proc = spawn(wrapper as string, wrapperArgs, {
        cwd: spec.cwd,
        stdio: ['ignore', logFd, logFd],
      });
    } finally {
      closeSync(logFd);
    }
    this.exited = new Promise<ExitStatus>((resolve) => {
      // 'error' (e.g. ENOENT) is emitted instead of 'exit' when spawn fails.
      this.proc.once('error', () => resolve(this.recordExit(null, null)));
      this.proc.once('exit', (code, signal) => resolve(this.recordExit(code, signal)));
    });
    // If this Node process exits before stop(), kill synchronously.
    this.unregister = onProcessExit(() => this.killNow());
  }

  static start(spec: ChildSpec): Child {
    return new Child(spec);
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get running(): boolean {
    return this.exitStatus === undefined && this.proc.pid !== undefined;
  }

  /** Why the process is not running any more, for error messages. */
  describeExit(): string {
    if (this.exitStatus === undefined) return `${this.name} is running (pid ${this.pid})`;
    const { code, signal } = this.exitStatus;
    return `${this.name} exited (${signal ? `signal ${signal}` : `code ${code}`})`;
  }

  /** The last `lines` lines of the log file. */
  logTail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** SIGTERM, then SIGKILL if the process has not exited after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.running) {
      this.signal('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), graceMs);
      });
      const first = await Promise.race([this.exited, timedOut]);
      clearTimeout(timer);
      if (first === 'timeout') this.signal('SIGKILL');
    }
    await this.exited;
    this.unregister();
  }

  /** SIGKILL at once (simulates a crash) and wait for the exit. */
  async kill(): Promise<void> {
    this.killNow();
    await this.exited;
    this.unregister();
  }

  /** Synchronous SIGKILL, for process 'exit' handlers. */
  killNow(): void {
    if (this.running) this.signal('SIGKILL');
  }

  private signal(signal: NodeJS.Signals): void {
    try {
      // By PID (the one we spawned); never by name. With the setpriv wrapper
      // this is still the right PID: setpriv execs the binary in place.
      if (this.proc.pid !== undefined) process.kill(this.proc.pid, signal);
    } catch {
      // ESRCH: already gone.
    }
  }

  private recordExit(code: number | null, signal: NodeJS.Signals | null): ExitStatus {
    this.exitStatus ??= { code, signal };
    return this.exitStatus;
  }
}
