// Reads a kubeconfig (or the in-cluster service account) into the cluster and user the client connects
// with, without @kubernetes/client-node: importing it costs the runtime about 90 MB RSS (its generated
// models and undici's WebAssembly parser), more than the operator's whole cache at 10,000 namespaces.
// The field names are client-node's (`getCurrentCluster()`, `getCurrentUser()`), so a client-node
// KubeConfig that tests or embedders already hold is accepted as is.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export interface ClusterConfig {
  readonly name: string;
  readonly server: string;
  readonly caData?: string;
  readonly caFile?: string;
  readonly tlsServerName?: string;
  readonly skipTLSVerify: boolean;
}

/** An exec credential plugin (client.authentication.k8s.io). */
export interface ExecConfig {
  readonly command: string;
  readonly args?: string[];
  readonly env?: { name: string; value: string }[] | null;
  readonly apiVersion?: string;
}

export interface UserConfig {
  readonly name: string;
  readonly certData?: string;
  readonly certFile?: string;
  readonly keyData?: string;
  readonly keyFile?: string;
  readonly token?: string;
  readonly tokenFile?: string;
  readonly username?: string;
  readonly password?: string;
  readonly exec?: ExecConfig;
  /** Legacy in-tree providers (removed from Kubernetes in 1.26); only client-node's tokenFile form is read. */
  readonly authProvider?: { name?: string; config?: Record<string, string> };
}

/** What the client needs from a kubeconfig: client-node's KubeConfig has the same two methods. */
export interface KubeConfigLike {
  getCurrentCluster(): ClusterConfig | null;
  getCurrentUser(): UserConfig | null;
  getCurrentContext(): string;
}

/** A field that must be absent: present, it fails with this message. */
const unsupported = (message: string) => z.undefined({ error: message }).optional();

const kubeconfigSchema = z.object({
  'current-context': z.string().optional(),
  clusters: z
    .array(
      z.object({
        name: z.string().min(1),
        cluster: z.object({
          server: z.string().url(),
          'certificate-authority': z.string().optional(),
          'certificate-authority-data': z.string().optional(),
          'insecure-skip-tls-verify': z.boolean().optional(),
          'tls-server-name': z.string().optional(),
          // Settings that change where requests go: refused rather than ignored.
          'proxy-url': unsupported('proxy-url (a proxy between the operator and the API server) is not supported'),
        }),
      }),
    )
    .nullish(),
  users: z
    .array(
      z.object({
        name: z.string().min(1),
        user: z
          .object({
            'client-certificate': z.string().optional(),
            'client-certificate-data': z.string().optional(),
            'client-key': z.string().optional(),
            'client-key-data': z.string().optional(),
            token: z.string().optional(),
            tokenFile: z.string().optional(),
            username: z.string().optional(),
            password: z.string().optional(),
            exec: z
              .object({
                command: z.string().min(1),
                args: z.array(z.string()).nullish(),
                env: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
                apiVersion: z.string().optional(),
              })
              .optional(),
            'auth-provider': z.object({ name: z.string(), config: z.record(z.string(), z.string()).optional() }).optional(),
            // Impersonation would silently run as another identity if ignored: refused.
            as: unsupported('impersonation (as) is not supported'),
            'as-groups': unsupported('impersonation (as-groups) is not supported'),
            'as-uid': unsupported('impersonation (as-uid) is not supported'),
          })
          .nullish(),
      }),
    )
    .nullish(),
  contexts: z
    .array(z.object({ name: z.string().min(1), context: z.object({ cluster: z.string(), user: z.string().optional(), namespace: z.string().optional() }) }))
    .nullish(),
});

/** A kubeconfig read from a file or the pod's service account. */
export class LoadedKubeConfig implements KubeConfigLike {
  constructor(
    private readonly cluster: ClusterConfig | null,
    private readonly user: UserConfig | null,
    private readonly context: string,
  ) {}

  getCurrentCluster(): ClusterConfig | null {
    return this.cluster;
  }

  getCurrentUser(): UserConfig | null {
    return this.user;
  }

  getCurrentContext(): string {
    return this.context;
  }
}

interface Entries {
  current?: string;
  clusters: Map<string, ClusterConfig>;
  users: Map<string, UserConfig>;
  contexts: Map<string, { cluster: string; user?: string }>;
}

/** One file's entries, relative paths resolved against `dir` (as kubectl does). Throws one line naming the field. */
function entriesOf(text: string, dir: string): Entries {
  const parsed = kubeconfigSchema.safeParse(parseYaml(text) ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const file = parsed.data;
  const abs = (p: string | undefined) => (p === undefined ? undefined : isAbsolute(p) ? p : resolve(dir, p));
  const clusters = new Map<string, ClusterConfig>();
  for (const c of file.clusters ?? []) {
    clusters.set(c.name, {
      name: c.name,
      server: c.cluster.server,
      skipTLSVerify: c.cluster['insecure-skip-tls-verify'] ?? false,
      ...opt('caData', c.cluster['certificate-authority-data']),
      ...opt('caFile', abs(c.cluster['certificate-authority'])),
      ...opt('tlsServerName', c.cluster['tls-server-name']),
    });
  }
  const users = new Map<string, UserConfig>();
  for (const u of file.users ?? []) {
    const ud = u.user ?? {};
    users.set(u.name, {
      name: u.name,
      ...opt('certData', ud['client-certificate-data']),
      ...opt('certFile', abs(ud['client-certificate'])),
      ...opt('keyData', ud['client-key-data']),
      ...opt('keyFile', abs(ud['client-key'])),
      ...opt('token', ud.token),
      ...opt('tokenFile', abs(ud.tokenFile)),
      ...opt('username', ud.username),
      ...opt('password', ud.password),
      ...(ud.exec ? { exec: { command: ud.exec.command, args: ud.exec.args ?? [], env: ud.exec.env ?? [], ...opt('apiVersion', ud.exec.apiVersion) } } : {}),
      ...(ud['auth-provider'] ? { authProvider: { name: ud['auth-provider'].name, config: ud['auth-provider'].config ?? {} } } : {}),
    });
  }
  const contexts = new Map<string, { cluster: string; user?: string }>();
  for (const c of file.contexts ?? []) contexts.set(c.name, { cluster: c.context.cluster, ...opt('user', c.context.user) });
  return { ...opt('current', file['current-context'] || undefined), clusters, users, contexts };
}

/**
 * Kubeconfig files merged as kubectl merges KUBECONFIG=a:b: the first file to define a name or the
 * current context wins.
 */
export function parseKubeconfigs(sources: readonly { text: string; dir: string }[]): LoadedKubeConfig {
  const merged: Entries = { clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const { text, dir } of sources) {
    const e = entriesOf(text, dir);
    merged.current ??= e.current;
    for (const key of ['clusters', 'users', 'contexts'] as const) {
      const into = merged[key] as Map<string, unknown>;
      for (const [name, v] of e[key]) if (!into.has(name)) into.set(name, v);
    }
  }
  const contextName = merged.current ?? '';
  const context = merged.contexts.get(contextName);
  if (!context) return new LoadedKubeConfig(null, null, contextName);
  return new LoadedKubeConfig(merged.clusters.get(context.cluster) ?? null, (context.user ? merged.users.get(context.user) : undefined) ?? { name: '' }, contextName);
}

export function parseKubeconfig(text: string, dir: string): LoadedKubeConfig {
  return parseKubeconfigs([{ text, dir }]);
}

/** Reads and merges the files; a missing file in a list is skipped as kubectl does, unless it is the only one. */
export function readKubeconfigFiles(paths: readonly string[]): LoadedKubeConfig {
  const sources: { text: string; dir: string }[] = [];
  for (const path of paths) {
    try {
      sources.push({ text: readFileSync(path, 'utf8'), dir: dirname(path) });
    } catch (err) {
      if (paths.length === 1 || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return parseKubeconfigs(sources);
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The pod's service account: the token file is re-read by the client (it rotates). */
export function inClusterConfig(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT_DIR): LoadedKubeConfig {
  const host = env.KUBERNETES_SERVICE_HOST;
  if (!host) throw new Error('KUBERNETES_SERVICE_HOST is not set');
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT ?? '443'}`;
  return new LoadedKubeConfig({ name: 'in-cluster', server, caFile: `${dir}/ca.crt`, skipTLSVerify: false }, { name: 'in-cluster', tokenFile: `${dir}/token` }, 'in-cluster');
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
