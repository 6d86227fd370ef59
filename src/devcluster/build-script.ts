// Runs one of the project's cached build scripts (control plane, Flux controllers): in its own process
// group, so a timeout or our exit stops the whole build, go compilers included, with one kill(-pgid);
// stderr lines go to onProgress; the last stdout line is the cache directory it built or found.
import { spawn } from 'node:child_process';
import { onProcessExit } from './cleanup.js';

export interface BuildScriptOptions {
  cwd: string;
  onProgress: (line: string) => void;
  timeoutMs: number;
  /** For the error, e.g. "the test control plane". */
  what: string;
}

/** Resolves with the directory the script printed last; rejects with its own last stderr line as the reason. */
export async function runBuildScript(script: string, opts: BuildScriptOptions): Promise<string> {
  const child = spawn('bash', [script], { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const killBuild = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  const unregister = onProcessExit(killBuild);
  let stdout = '';
  const stderrTail: string[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      opts.onProgress(line);
      stderrTail.push(line);
      if (stderrTail.length > 30) stderrTail.shift();
    }
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killBuild();
  }, opts.timeoutMs);
  const status = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('close', (code) => done(code));
  }).finally(() => {
    clearTimeout(timer);
    unregister();
  });
  if (partial) stderrTail.push(partial);
  if (status !== 0) {
    // The script's last stderr line is its one-line reason ("... build failed: ...").
    const reason = timedOut ? `timed out after ${Math.round(opts.timeoutMs / 60_000)} minutes` : (stderrTail.filter((l) => l.trim() !== '').at(-1) ?? `exit status ${status}`);
    throw new Error(`Cannot build ${opts.what} (${script}): ${reason}\n--- last lines of build output ---\n${stderrTail.join('\n')}`);
  }
  return stdout.trim().split('\n').at(-1) ?? '';
}
