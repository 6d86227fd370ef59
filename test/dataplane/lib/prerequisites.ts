// What the data-plane suite needs from the machine. On CI (CI=true) a missing prerequisite fails
// the suite with this reason; elsewhere the suite is skipped with it, in one line.
import { sh } from './sh.js';

const TOOLS = ['ip', 'iptables', 'iptables-save', 'iptables-restore', 'ipset'];

/** Undefined when the data plane can run here, else the reason it cannot. */
export async function missingPrerequisite(): Promise<string | undefined> {
  if (process.platform !== 'linux') return `needs Linux network namespaces (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, veth, iptables); run as root, as CI does';
  const missing: string[] = [];
  for (const tool of TOOLS) if ((await sh('sh', ['-c', `command -v ${tool}`], { allowFail: true })).trim() === '') missing.push(tool);
  if (missing.length > 0) return `missing host tools: ${missing.join(', ')} (Debian: apt-get install iptables ipset iproute2; .ci/run installs them)`;
  return undefined;
}

export function onCi(): boolean {
  return process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false' && process.env.CI !== '0';
}
