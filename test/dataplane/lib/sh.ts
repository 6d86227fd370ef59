// Runs host commands (ip, sysctl, iptables) with a time limit; failures carry the command and stderr.
import { execFile } from 'node:child_process';

export async function sh(cmd: string, args: readonly string[], { timeoutMs = 20_000, allowFail = false } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err && !allowFail) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}
