// A process in an endpoint's network namespace (agent/endpoint.mjs): responders on its ports, and
// the prober for connections that start there. One long-lived process per endpoint, so a probe
// costs a line on stdin, not a process start.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const AGENT = fileURLToPath(new URL('../agent/endpoint.mjs', import.meta.url));

export type ProbeProtocol = 'TCP' | 'UDP';
export type ProbeResult = 'open' | 'refused' | 'timeout' | 'error';

export interface EndpointProcess {
  probe(ip: string, port: number, protocol: ProbeProtocol, timeoutMs?: number): Promise<{ result: ProbeResult; detail?: string }>;
  stop(): void;
}

export async function startEndpoint(netns: string, ports: { tcp: number[]; udp: number[] }): Promise<EndpointProcess> {
  const child: ChildProcess = spawn('ip', ['netns', 'exec', netns, process.execPath, AGENT, JSON.stringify(ports)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const waiting = new Map<number, (r: { result: ProbeResult; detail?: string }) => void>();
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let nextId = 1;
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`endpoint in ${netns} not ready after 15 s: ${stderr}`)), 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`endpoint in ${netns} exited (${code}): ${stderr}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as { ready?: boolean; id?: number; result?: ProbeResult; detail?: string };
      if (msg.ready) {
        clearTimeout(timer);
        resolve();
      } else if (msg.id !== undefined) {
        waiting.get(msg.id)?.({ result: msg.result ?? 'error', ...(msg.detail ? { detail: msg.detail } : {}) });
        waiting.delete(msg.id);
      }
    });
  });
  child.on('exit', () => {
    for (const done of waiting.values()) done({ result: 'error', detail: `endpoint process in ${netns} exited: ${stderr}` });
    waiting.clear();
  });
  await ready;
  return {
    probe(ip, port, protocol, timeoutMs = 800) {
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        child.stdin!.write(`${JSON.stringify({ id, ip, port, protocol, timeoutMs })}\n`);
      });
    },
    stop() {
      child.stdin!.end();
      child.kill('SIGKILL');
    },
  };
}
