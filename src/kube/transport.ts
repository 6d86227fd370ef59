// HTTP(S) to the API server on node:http/node:https: TLS and credentials from the kubeconfig (client
// certificates, bearer token, token file, basic auth, exec plugins), one keep-alive agent, plain requests
// and line-delimited watch streams. node's own modules cost nothing to load; undici (WebAssembly parser)
// added 30 MB RSS.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { ClusterConfig, ExecConfig, KubeConfigLike } from './kubeconfig.js';

/** Token files and exec credentials are re-read this often (service-account tokens rotate). */
const CREDENTIALS_TTL_MS = 60_000;
const MAX_SOCKETS = 32;
/** Idle keep-alive connections kept after a burst (node's default is 256): each holds TLS buffers. */
const MAX_FREE_SOCKETS = 4;

export interface Response {
  status: number;
  text: string;
}

interface Credentials {
  headers: Record<string, string>;
  agent: HttpAgent;
  /** Date.now() after which they are read again. */
  until: number;
  /** The TLS material the agent was made with: unchanged material keeps the agent and its connections. */
  tlsKey: string;
}

export class Transport {
  readonly server: URL;
  private creds?: Credentials;
  private pending?: Promise<Credentials>;
  private readonly tls: boolean;

  constructor(private readonly kc: KubeConfigLike) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.server = new URL(cluster.server.replace(/\/$/, ''));
    this.tls = this.server.protocol === 'https:';
  }

  /** Sends one request; resolves with status and body text (any status), rejects on transport errors. */
  async request(method: string, url: URL, body: string | undefined, headers: Record<string, string>, signal: AbortSignal): Promise<Response> {
    const res = await this.open(method, url, body, headers, signal);
    res.setEncoding('utf8');
    let text = '';
    for await (const chunk of res) text += chunk as string;
    return { status: res.statusCode ?? 0, text };
  }

  /**
   * Opens a watch and calls `onLine` with each line of the stream until it ends. A non-200 answer resolves
   * with its status and body instead (the caller turns it into an error).
   */
  async stream(url: URL, signal: AbortSignal, onLine: (line: string) => void): Promise<Response | undefined> {
    const res = await this.open('GET', url, undefined, { accept: 'application/json' }, signal);
    res.setEncoding('utf8');
    if (res.statusCode !== 200) {
      let text = '';
      for await (const chunk of res) text += chunk as string;
      return { status: res.statusCode ?? 0, text };
    }
    let buffered = '';
    for await (const chunk of res) {
      buffered += chunk as string;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim()) onLine(line);
      }
    }
    if (buffered.trim()) onLine(buffered);
    return undefined;
  }

  private async open(method: string, url: URL, body: string | undefined, headers: Record<string, string>, signal: AbortSignal): Promise<IncomingMessage> {
    const { headers: auth, agent } = await this.credentials();
    signal.throwIfAborted();
    const send = this.tls ? httpsRequest : httpRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, { method, agent, headers: { ...auth, ...headers, ...(body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {}) }, signal }, resolve);
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Headers and agent, cached; read again after CREDENTIALS_TTL_MS or the exec credential's expiry. */
  credentials(): Promise<Credentials> {
    if (this.creds && Date.now() < this.creds.until) return Promise.resolve(this.creds);
    this.pending ??= this.readCredentials().then(
      (c) => {
        if (this.creds && this.creds.agent !== c.agent) this.creds.agent.destroy();
        this.creds = c;
        this.pending = undefined;
        return c;
      },
      (err: unknown) => {
        this.pending = undefined;
        throw err;
      },
    );
    return this.pending;
  }

  private async readCredentials(): Promise<Credentials> {
    const cluster = this.kc.getCurrentCluster()!;
    const user = this.kc.getCurrentUser() ?? { name: '' };
    const headers: Record<string, string> = {};
    let cert = fileOrData(user.certData, user.certFile);
    let key = fileOrData(user.keyData, user.keyFile);
    let until = Date.now() + CREDENTIALS_TTL_MS;
    const tokenFile = user.tokenFile ?? (user.authProvider?.name === 'tokenFile' ? user.authProvider.config?.tokenFile : undefined);
    if (user.token) headers.authorization = `Bearer ${user.token}`;
    else if (tokenFile) headers.authorization = `Bearer ${readFileSync(tokenFile, 'utf8').trim()}`;
    else if (user.username !== undefined && user.password !== undefined) headers.authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
    else if (user.exec) {
      const status = await runExecPlugin(user.exec, cluster);
      if (status.token) headers.authorization = `Bearer ${status.token}`;
      if (status.clientCertificateData) cert = Buffer.from(status.clientCertificateData);
      if (status.clientKeyData) key = Buffer.from(status.clientKeyData);
      if (status.expirationTimestamp) until = Math.min(until, Date.parse(status.expirationTimestamp) - 10_000);
    } else if (user.authProvider) {
      throw new Error(`kubeconfig user ${user.name} uses auth-provider ${user.authProvider.name ?? '?'}, removed from Kubernetes in 1.26: use its exec plugin (e.g. kubelogin, gke-gcloud-auth-plugin)`);
    }
    const ca = fileOrData(cluster.caData, cluster.caFile);
    const tlsKey = [ca, cert, key].map((b) => b?.toString('base64') ?? '').join('|');
    if (this.creds?.tlsKey === tlsKey) return { headers, agent: this.creds.agent, until, tlsKey };
    const agent = this.tls
      ? new HttpsAgent({
          keepAlive: true,
          maxSockets: MAX_SOCKETS,
          maxFreeSockets: MAX_FREE_SOCKETS,
          rejectUnauthorized: !cluster.skipTLSVerify,
          ...(ca ? { ca } : {}),
          ...(cert ? { cert } : {}),
          ...(key ? { key } : {}),
          ...(serverName(cluster, this.server) ? { servername: serverName(cluster, this.server)! } : {}),
        })
      : new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS, maxFreeSockets: MAX_FREE_SOCKETS });
    return { headers, agent, until, tlsKey };
  }
}

/** SNI: the configured name, else the host unless it is an IP address (SNI carries names only). */
function serverName(cluster: ClusterConfig, server: URL): string | undefined {
  if (cluster.tlsServerName) return cluster.tlsServerName;
  const host = server.hostname.replace(/^\[|\]$/g, '');
  return isIP(host) ? undefined : host;
}

function fileOrData(data: string | undefined, file: string | undefined): Buffer | undefined {
  if (data) return Buffer.from(data, 'base64');
  if (file) return readFileSync(file);
  return undefined;
}

interface ExecStatus {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expirationTimestamp?: string;
}

/** Runs a client.authentication.k8s.io exec plugin and returns its ExecCredential status. */
function runExecPlugin(exec: ExecConfig, cluster: ClusterConfig): Promise<ExecStatus> {
  const apiVersion = exec.apiVersion ?? 'client.authentication.k8s.io/v1';
  const info = JSON.stringify({ apiVersion, kind: 'ExecCredential', spec: { interactive: false, cluster: { server: cluster.server } } });
  const env = { ...process.env, KUBERNETES_EXEC_INFO: info, ...Object.fromEntries((exec.env ?? []).map((e) => [e.name, e.value])) };
  return new Promise((resolve, reject) => {
    execFile(exec.command, exec.args ?? [], { env, timeout: 60_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`exec credential plugin ${exec.command} failed: ${(stderr || err.message).trim().split('\n')[0]}`));
      try {
        const status = (JSON.parse(stdout) as { status?: ExecStatus }).status;
        if (!status) throw new Error('no status');
        resolve(status);
      } catch (e) {
        reject(new Error(`exec credential plugin ${exec.command} printed no ExecCredential: ${(e as Error).message}`));
      }
    });
  });
}
