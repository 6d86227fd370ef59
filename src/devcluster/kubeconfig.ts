// Writes kubeconfig files. JSON is valid YAML, so no YAML library is needed.

import { writeFileSync } from 'node:fs';

export interface KubeconfigSpec {
  server: string;
  caPem: string;
  token: string;
  user: string;
  contextName?: string;
}

export function writeKubeconfig(path: string, spec: KubeconfigSpec): void {
  const name = spec.contextName ?? 'segmentation-dev';
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: {
          server: spec.server,
          // Embedded, so the file stays usable if copied elsewhere.
          'certificate-authority-data': Buffer.from(spec.caPem).toString('base64'),
        },
      },
    ],
    users: [{ name: spec.user, user: { token: spec.token } }],
    contexts: [{ name, context: { cluster: name, user: spec.user } }],
    'current-context': name,
  };
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}
