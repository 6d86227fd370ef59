// A loopback TCP proxy for partition tests: forwards bytes both ways until cut. Cut "requests" drops
// what the client sends (its requests never reach the server, answers to requests already sent still come
// back: the asymmetric partition); cut "both" drops both directions. Connections stay open and nothing is
// sent, as a black-holing network does; new connections are accepted and hang the same way.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type Cut = 'none' | 'requests' | 'both';

export class TcpProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  cut: Cut = 'none';
  /** Client bytes dropped while cut. */
  dropped = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = createServer((client) => this.onConnection(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return (this.server.address() as AddressInfo).port;
  }

  private onConnection(client: Socket): void {
    this.sockets.add(client);
    const upstream = connect(this.targetPort, this.targetHost);
    this.sockets.add(upstream);
    client.on('data', (chunk) => {
      if (this.cut === 'none') upstream.write(chunk);
      else this.dropped += chunk.length;
    });
    upstream.on('data', (chunk) => {
      if (this.cut !== 'both') client.write(chunk);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}
