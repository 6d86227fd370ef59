// Long-running children of a data-plane run (control plane, bridge, kube-router, operator), each
// started inside the node network namespace with `ip netns exec`, with its output kept for failure
// messages. All are killed at teardown and, as a last resort, when this process exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface Child {
  name: string;
  process: ChildProcess;
  /** The last lines of stdout and stderr together. */
  tail(): string;
  /** Resolves with the first stdout line that matches (or rejects on exit / timeout). */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export function startInNetns(netns: string, name: string, argv: string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn('ip', ['netns', 'exec', netns, ...argv], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > 60) lines.shift();
  };
  const stdoutLines = createInterface({ input: child.stdout! });
  stdoutLines.on('line', keep);
  createInterface({ input: child.stderr! }).on('line', keep);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      live.delete(child);
      resolve();
    }),
  );
  return {
    name,
    process: child,
    tail: () => lines.join('\n'),
    waitForLine(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no line matching ${pattern} within ${timeoutMs} ms; last output:\n${lines.join('\n')}`)), timeoutMs);
        const onLine = (line: string) => {
          if (!pattern.test(line)) return;
          clearTimeout(timer);
          stdoutLines.off('line', onLine);
          resolve(line);
        };
        stdoutLines.on('line', onLine);
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited (${code ?? signal}) before printing ${pattern}; last output:\n${lines.join('\n')}`));
        });
      });
    },
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin!.end();
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
