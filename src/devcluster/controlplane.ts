// A real, local Kubernetes control plane for integration tests and for
// `npm run cluster`: etcd + kube-apiserver + kube-controller-manager (only the
// garbage-collector, namespace and serviceaccount controllers), all on
// 127.0.0.1 with OS-assigned free ports and a throw-away data dir. There is
// no kubelet and no scheduler: pods are stored but never run, which is all a
// NetworkPolicy operator needs.

import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBinaries, type Binaries } from './binaries.js';
import { Child } from './child.js';
import { enableSignalCleanup, onProcessExit } from './cleanup.js';
import { writeKubeconfig } from './kubeconfig.js';
import { expect200, httpGet, waitFor } from './probe.js';

export interface ControlPlaneOptions {
  /** Already-located binaries; default: `await ensureBinaries()`. */
  binaries?: Binaries;
  /** kube-controller-manager controllers; default GC, namespace, serviceaccount. */
  controllers?: string[];
  /** Extra kube-apiserver flags (e.g. a feature gate a test needs). */
  apiServerArgs?: string[];
  /** Parent of the temp data dir; default os.tmpdir(). */
  baseDir?: string;
  /** Keep the data dir (etcd data, logs) after stop(); default: env SEGMENTATION_CONTROLPLANE_KEEP=1. */
  keepDataDir?: boolean;
  /**
   * Kill the children and remove the data dir on SIGINT/SIGTERM/SIGHUP, then
   * let the signal terminate the process (default true). Programs doing
   * their own graceful stop on signals pass false.
   */
  handleSignals?: boolean;
  /** Per-component start-up timeout; default 120 s (2 cores, cold caches). */
  startTimeoutMs?: number;
  /** Progress messages (default: none). */
  onProgress?: (message: string) => void;
}

export interface ControlPlane {
  /** Admin kubeconfig (user "admin" in group system:masters). */
  kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** Bearer token of the admin user. */
  token: string;
  /** PEM of the CA that signed the API server's serving certificate. */
  caCertPath: string;
  /** gitVersion reported by the API server's /version, e.g. "v1.37.2". */
  version: string;
  /** etcd.log, kube-apiserver.log, kube-controller-manager.log */
  logDir: string;
  dataDir: string;
  /** Stops every process it started (SIGTERM, then SIGKILL) and removes the data dir. Idempotent. */
  stop(): Promise<void>;
  /**
   * Stops kube-apiserver and starts it again on the same port and data;
   * resolves when /readyz is OK. Graceful (SIGTERM: watches end with GOAWAY)
   * unless `crash: true` (SIGKILL: connections just break).
   */
  restartApiServer(options?: { crash?: boolean }): Promise<void>;
}

export const DEFAULT_CONTROLLERS = [
  'garbage-collector-controller', // ownerReferences: cascading deletes
  'namespace-controller', // empties and finalizes deleted namespaces
  // Creates the "default" ServiceAccount in each namespace; without it the
  // ServiceAccount admission plugin rejects every Pod a test creates.
  'serviceaccount-controller',
];

const SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/16';
const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** Asks the OS for `count` distinct free TCP ports on 127.0.0.1. */
export async function freePorts(count: number): Promise<number[]> {
  // Hold all listeners open until every port is known, so no port repeats.
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((s) => (s.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** The CA certificate from the bundle kube-apiserver writes (serving cert followed by its CA). */
function caFromBundle(bundlePem: string): string {
  const blocks = bundlePem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const ca = blocks.find((pem) => new X509Certificate(pem).ca);
  if (!ca) throw new Error('no CA certificate in the serving bundle yet');
  return `${ca}\n`;
}

function withLog(message: string, child: Child): Error {
  return new Error(
    `${message}\n--- last lines of ${child.logFile} ` +
      `(set SEGMENTATION_CONTROLPLANE_KEEP=1 to keep the file) ---\n${child.logTail()}`,
  );
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const progress = options.onProgress ?? (() => {});
  const timeoutMs = options.startTimeoutMs ?? 120_000;
  const keepDataDir = options.keepDataDir ?? process.env.SEGMENTATION_CONTROLPLANE_KEEP === '1';
  if (options.handleSignals ?? true) enableSignalCleanup();
  const binaries = options.binaries ?? (await ensureBinaries());

  // --- files ------------------------------------------------------------------
  const dataDir = mkdtempSync(join(options.baseDir ?? tmpdir(), 'segmentation-controlplane-'));
  const unregisterDirCleanup = keepDataDir
    ? () => {}
    : onProcessExit(() => rmSync(dataDir, { recursive: true, force: true }));
  const path = (...parts: string[]) => join(dataDir, ...parts);
  const logDir = path('logs');
  for (const dir of ['logs', 'pki', 'pki/apiserver', 'pki/controller-manager']) {
    mkdirSync(path(dir), { recursive: true, mode: 0o700 });
  }

  const token = randomBytes(32).toString('hex');
  const controllerManagerToken = randomBytes(32).toString('hex');
  // Static token file: token,user,uid,"group,...". The controller manager
  // is in system:masters too: with --use-service-account-credentials=false
  // its garbage collector deletes objects of any kind under its own identity.
  writeFileSync(
    path('pki', 'tokens.csv'),
    `${token},admin,admin,"system:masters"\n` +
      `${controllerManagerToken},system:kube-controller-manager,kube-controller-manager,"system:masters"\n`,
    { mode: 0o600 },
  );

  // Service-account token signing key pair (TokenRequest is served by the API server).
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  writeFileSync(path('pki', 'sa.key'), privateKey, { mode: 0o600 });
  writeFileSync(path('pki', 'sa.pub'), publicKey);

  const [etcdClientPort, etcdPeerPort, apiPort, kcmPort] = (await freePorts(4)) as [number, number, number, number];
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfigPath = path('admin.kubeconfig');
  const caCertPath = path('pki', 'ca.crt');

  const started: Child[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // Reverse start order: controller manager and API server before etcd.
    for (const child of [...started].reverse()) await child.stop();
    if (!keepDataDir) rmSync(dataDir, { recursive: true, force: true });
    unregisterDirCleanup();
  };
  const start = (name: string, command: string, args: string[]) => {
    const child = Child.start({ name, command, args, logFile: join(logDir, `${name}.log`), cwd: dataDir });
    started.push(child);
    return child;
  };
  const exitedReason = (child: Child) => (child.running ? undefined : child.describeExit());

  try {
    // --- etcd ----------------------------------------------------------------
    progress(`starting etcd on 127.0.0.1:${etcdClientPort}`);
    const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    const etcd = start('etcd', binaries.etcd, [
      '--name=default',
      `--data-dir=${path('etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=default=${peerUrl}`,
      // Throw-away data: skipping fsync makes every write much faster.
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ]);
    await waitFor(expect200(`${etcdUrl}/health`, {}), {
      what: 'etcd /health',
      timeoutMs,
      abortIf: () => exitedReason(etcd),
    }).catch((err: Error) => {
      throw withLog(`etcd did not start: ${err.message}`, etcd);
    });

    // --- kube-apiserver ------------------------------------------------------
    const apiServerArgs = [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      // No --tls-cert-file: the API server generates a CA and a serving cert
      // for 127.0.0.1 into --cert-dir (reused on restart), so neither openssl
      // nor hand-written X.509 code is needed. We read the CA back below.
      `--cert-dir=${path('pki', 'apiserver')}`,
      `--token-auth-file=${path('pki', 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
      `--service-account-key-file=${path('pki', 'sa.pub')}`,
      `--service-account-signing-key-file=${path('pki', 'sa.key')}`,
      `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
      '--allow-privileged=true',
      // No nodes will ever serve the "kubernetes" Service: skip its endpoints.
      '--endpoint-reconciler-type=none',
      // On SIGTERM, cap the wait for open connections (watches) at 2 s
      // instead of --request-timeout (60 s); requests arriving meanwhile get
      // 429 + Retry-After. Makes stop() and restartApiServer() take seconds.
      '--shutdown-send-retry-after=true',
      '--profiling=false',
      ...(options.apiServerArgs ?? []),
    ];
    let apiServer: Child;
    const startApiServer = async () => {
      progress(`starting kube-apiserver on ${server}`);
      apiServer = start('kube-apiserver', binaries.kubeApiserver, apiServerArgs);
      const child = apiServer;
      let ca: string | undefined;
      await waitFor(
        async () => {
          ca ??= caFromBundle(readFileSync(path('pki', 'apiserver', 'apiserver.crt'), 'utf8'));
          return expect200(`${server}/readyz`, { ca, bearerToken: token })();
        },
        { what: 'kube-apiserver /readyz', timeoutMs, abortIf: () => exitedReason(child) },
      ).catch((err: Error) => {
        throw withLog(`kube-apiserver did not become ready: ${err.message}`, child);
      });
      writeFileSync(caCertPath, ca ?? '');
    };
    await startApiServer();
    const caPem = readFileSync(caCertPath, 'utf8');

    const versionReply = await httpGet(`${server}/version`, { ca: caPem, bearerToken: token });
    const version = (JSON.parse(versionReply.body) as { gitVersion?: string }).gitVersion ?? 'unknown';

    writeKubeconfig(kubeconfigPath, { server, caPem, token, user: 'admin' });
    const kcmKubeconfig = path('controller-manager.kubeconfig');
    writeKubeconfig(kcmKubeconfig, {
      server,
      caPem,
      token: controllerManagerToken,
      user: 'system:kube-controller-manager',
    });

    // --- kube-controller-manager ---------------------------------------------
    progress(`starting kube-controller-manager (${(options.controllers ?? DEFAULT_CONTROLLERS).join(',')})`);
    const controllerManager = start('kube-controller-manager', binaries.kubeControllerManager, [
      `--kubeconfig=${kcmKubeconfig}`,
      `--controllers=${(options.controllers ?? DEFAULT_CONTROLLERS).join(',')}`,
      '--leader-elect=false', // a single instance: no lease round-trips
      '--bind-address=127.0.0.1',
      `--secure-port=${kcmPort}`,
      `--cert-dir=${path('pki', 'controller-manager')}`,
      '--profiling=false',
    ]);
    // Its serving cert is self-signed and we only ask for health: skip verification.
    await waitFor(expect200(`https://127.0.0.1:${kcmPort}/healthz`, { insecure: true }), {
      what: 'kube-controller-manager /healthz',
      timeoutMs,
      abortIf: () => exitedReason(controllerManager),
    }).catch((err: Error) => {
      throw withLog(`kube-controller-manager did not become healthy: ${err.message}`, controllerManager);
    });

    const restartApiServer = async ({ crash = false }: { crash?: boolean } = {}) => {
      if (stopped) throw new Error('the control plane is stopped');
      await (crash ? apiServer.kill() : apiServer.stop());
      started.splice(started.indexOf(apiServer), 1);
      appendFileSync(
        apiServer.logFile,
        `\n===== restartApiServer(${crash ? 'crash' : 'graceful'}) at ${new Date().toISOString()} =====\n`,
      );
      await startApiServer();
    };

    progress(`control plane ${version} ready at ${server}`);
    return { kubeconfigPath, server, token, caCertPath, version, logDir, dataDir, stop, restartApiServer };
  } catch (err) {
    await stop();
    throw err;
  }
}
