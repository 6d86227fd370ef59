// The test process reaches the API server inside the node namespace through a Unix socket:
// bridge.mjs (inside) pipes the socket to 127.0.0.1:<api port>; a TCP listener on this side's
// 127.0.0.1 pipes each connection to the socket. TLS passes through untouched (the serving
// certificate is for 127.0.0.1, which is what this side dials too).
import { createConnection, createServer, type Server } from 'node:net';

export async function listenTcpToUnix(socketPath: string): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((client) => {
    const upstream = createConnection(socketPath);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.unref();
      }),
  };
}
