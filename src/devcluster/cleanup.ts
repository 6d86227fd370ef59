// Last-resort cleanup of the control plane's processes and temp dirs when
// this Node process goes away without calling stop(): a test that throws
// past its hooks, process.exit(), Ctrl-C, a SIGTERM from CI.
//
// Only synchronous work is possible there ('exit' handlers cannot await), so
// each registered action must be synchronous: kill by PID, rmSync.
// (Children are additionally spawned with a parent-death signal, see
// child.ts, which also covers a SIGKILL of this process.)

type Action = () => void;

const actions = new Set<Action>();
const handledSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let exitHookInstalled = false;
let signalHooksInstalled = false;

function runAll(): void {
  for (const action of [...actions].reverse()) {
    actions.delete(action);
    try {
      action();
    } catch {
      // Best effort: one failing action must not prevent the others.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  // Registering a listener disables Node's default "exit on signal"; if no
  // one else listens, restore the default and re-raise so the process still
  // dies with the usual status (130 for Ctrl-C).
  if (process.listenerCount(signal) === 1) {
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  }
}

/**
 * Registers a synchronous cleanup action run on process exit (and on
 * SIGINT/SIGTERM/SIGHUP once `enableSignalCleanup()` was called).
 * Returns a function that unregisters it (call it after a normal stop).
 */
export function onProcessExit(action: Action): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', runAll);
  }
  actions.add(action);
  return () => {
    actions.delete(action);
  };
}

/**
 * Makes SIGINT/SIGTERM/SIGHUP run the cleanup actions and then terminate the
 * process as the signal would have. Programs that handle those signals
 * themselves for a graceful stop (the dev-cluster CLI) do not call this.
 */
export function enableSignalCleanup(): void {
  if (signalHooksInstalled) return;
  signalHooksInstalled = true;
  for (const signal of handledSignals) process.on(signal, onSignal);
}
