// /healthz, /readyz and /metrics. Port 0 turns a server off; the same port serves all three.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HttpServerOptions {
  healthPort: number;
  metricsPort: number;
  host?: string;
  ready: () => { ready: boolean; reason: string };
  registry: Registry;
}

export class OperatorHttp {
  private servers: Server[] = [];
  /** Bound ports, health then metrics (after start). */
  readonly ports: { health?: number; metrics?: number } = {};

  constructor(private readonly opts: HttpServerOptions) {}

  async start(): Promise<void> {
    const { healthPort, metricsPort } = this.opts;
    if (healthPort > 0 && healthPort === metricsPort) {
      this.ports.health = this.ports.metrics = await this.listen(healthPort, true, true);
      return;
    }
    if (healthPort > 0) this.ports.health = await this.listen(healthPort, true, false);
    if (metricsPort > 0) this.ports.metrics = await this.listen(metricsPort, false, true);
  }

  private listen(port: number, health: boolean, metrics: boolean): Promise<number> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (health && path === '/healthz') {
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
      } else if (health && path === '/readyz') {
        const r = this.opts.ready();
        res.writeHead(r.ready ? 200 : 503, { 'Content-Type': 'text/plain' }).end(`${r.reason}\n`);
      } else if (metrics && path === '/metrics') {
        this.opts.registry.metrics().then(
          (text) => res.writeHead(200, { 'Content-Type': this.opts.registry.contentType }).end(text),
          (err: unknown) => res.writeHead(500).end(String(err)),
        );
      } else {
        res.writeHead(404).end();
      }
    });
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.opts.host ?? '0.0.0.0', () => resolve((server.address() as AddressInfo).port));
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()); })));
    this.servers = [];
  }
}
