// A Git smart-HTTP server on 127.0.0.1 for the Flux test: Node's http server runs `git http-backend` (CGI)
// once per request against the bare repositories under one directory. Flux accepts only http(s) and ssh Git
// URLs, so this is the smallest real server it can clone from. Read-only (upload-pack): the test writes to the
// bare repository through the file system.
import { execFileSync, spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitServer {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  /** Stops listening and ends open connections. */
  close(): Promise<void>;
}

/** `git --exec-path`/git-http-backend, or a clear error when Git (or its http-backend) is missing. */
function httpBackendPath(): string {
  let execPath: string;
  try {
    execPath = execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim();
  } catch (err) {
    throw new Error(`the Flux test needs git (with git-http-backend) on PATH: ${(err as Error).message}`);
  }
  return `${execPath}/git-http-backend`;
}

function serve(backend: string, projectRoot: string, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname.endsWith('/git-receive-pack') || url.searchParams.get('service') === 'git-receive-pack') {
    res.writeHead(403).end('read-only\n');
    return;
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    CONTENT_TYPE: req.headers['content-type'] ?? '',
  };
  if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
  if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
  if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);

  const cgi = spawn(backend, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  req.pipe(cgi.stdin);
  let stderr = '';
  cgi.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  // CGI output: header lines, an empty line, then the body.
  let head = Buffer.alloc(0);
  let headersDone = false;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const crlf = head.indexOf('\r\n\r\n');
    const lf = head.indexOf('\n\n');
    const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
    if (end < 0) return;
    const sep = end === crlf ? 4 : 2;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    headersDone = true;
    res.write(head.subarray(end + sep));
  });
  cgi.on('close', (code) => {
    if (!headersDone) res.writeHead(500).end(`git http-backend exited ${code}: ${stderr}\n`);
    else res.end();
  });
  cgi.on('error', (err) => {
    if (!res.headersSent) res.writeHead(500);
    res.end(`git http-backend failed: ${err.message}\n`);
  });
}

/** Serves every bare repository under `projectRoot` at http://127.0.0.1:<port>/<name>.git (loopback only). */
export async function startGitServer(projectRoot: string): Promise<GitServer> {
  const backend = httpBackendPath();
  const server = createServer((req, res) => serve(backend, projectRoot, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
