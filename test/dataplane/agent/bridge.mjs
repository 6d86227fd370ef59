// Runs inside the node network namespace: accepts connections on a Unix socket (a file, visible
// from the test process outside) and pipes each one to a TCP address inside the namespace (the
// kube-apiserver on 127.0.0.1). This is how the test talks to the API server without any route
// into or out of the node namespace. Exits when stdin closes.
// Usage: node bridge.mjs SOCKET_PATH HOST PORT
import net from 'node:net';
import { rmSync } from 'node:fs';

const [socketPath, host, port] = process.argv.slice(2);
rmSync(socketPath, { force: true });
const server = net.createServer((client) => {
  const upstream = net.connect({ host, port: Number(port) });
  client.pipe(upstream).pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
});
server.listen(socketPath, () => process.stdout.write('{"ready":true}\n'));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
