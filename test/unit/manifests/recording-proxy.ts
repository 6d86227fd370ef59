// A plain-HTTP reverse proxy on 127.0.0.1 in front of the API server that records every request passing
// through it (method, path and query, response status). Point a kubeconfig's server at it to see exactly
// which API calls a process makes, watches included. Test use only: it forwards bearer tokens unencrypted
// over loopback.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  /** Response status (0 if the upstream request failed). */
  status: number;
}

export class RecordingProxy {
  readonly requests: RecordedRequest[] = [];
  private server?: Server;
  private readonly agent: Agent;
  private readonly upstream: URL;

  constructor(upstream: string, caPem: string) {
    this.upstream = new URL(upstream);
    this.agent = new Agent({ ca: caPem, keepAlive: true });
  }

  /** Starts listening; resolves with the proxy's base URL. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const record: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', status: 0 };
      this.requests.push(record);
      const headers: IncomingHttpHeaders = { ...req.headers, host: this.upstream.host };
      const up = httpsRequest(
        { protocol: 'https:', hostname: this.upstream.hostname, port: this.upstream.port, method: req.method, path: req.url, headers, agent: this.agent },
        (upRes) => {
          record.status = upRes.statusCode ?? 0;
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        },
      );
      up.on('error', (err) => {
        if (!res.headersSent) res.writeHead(502).end(String(err));
        else res.destroy();
      });
      res.on('close', () => up.destroy());
      req.pipe(up);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', resolve);
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.agent.destroy();
  }
}
