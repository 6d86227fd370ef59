// One data-plane endpoint (a pod or an external host), run inside its own network namespace with
// `ip netns exec NS node endpoint.mjs '{"tcp":[80],"udp":[53]}'`. Plain JavaScript so that it starts
// in tens of milliseconds without tsx.
//
// - Responders: a TCP server on each `tcp` port (answers "ok" and closes) and a UDP socket on each
//   `udp` port (echoes every datagram), on all addresses of the namespace.
// - Prober: reads one JSON request a line on stdin, {"id":1,"ip":"10.0.0.1","port":80,"protocol":"TCP",
//   "timeoutMs":800}, and writes {"id":1,"result":"open"|"refused"|"timeout"|"error","detail":...} on stdout.
//   "open" for TCP means the handshake completed and our responder's "ok" arrived; for UDP that the echo came back.
// - Prints {"ready":true} once every responder listens; exits when stdin closes (its parent went away).
import dgram from 'node:dgram';
import net from 'node:net';
import readline from 'node:readline';

const config = JSON.parse(process.argv[2] ?? '{}');
const out = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

async function listen() {
  const waits = [];
  for (const port of config.tcp ?? []) {
    const server = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.end('ok\n');
    });
    waits.push(new Promise((resolve, reject) => server.once('error', reject).listen(port, '0.0.0.0', resolve)));
  }
  for (const port of config.udp ?? []) {
    const socket = dgram.createSocket('udp4');
    socket.on('message', (msg, rinfo) => socket.send(msg, rinfo.port, rinfo.address));
    waits.push(new Promise((resolve, reject) => socket.once('error', reject).bind(port, '0.0.0.0', resolve)));
  }
  await Promise.all(waits);
}

function probeTcp({ ip, port, timeoutMs }) {
  return new Promise((resolve) => {
    let data = '';
    const socket = net.connect({ host: ip, port });
    const done = (result, detail) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ result, detail });
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.on('data', (chunk) => {
      data += chunk;
      if (data.includes('ok')) done('open');
    });
    socket.on('error', (err) => done(err.code === 'ECONNREFUSED' ? 'refused' : 'error', err.code ?? String(err)));
    socket.on('end', () => done(data.includes('ok') ? 'open' : 'error', 'closed without answer'));
  });
}

function probeUdp({ ip, port, timeoutMs }) {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const token = `probe-${Math.random()}`;
    const done = (result, detail) => {
      clearTimeout(timer);
      try {
        socket.close();
      } catch {}
      resolve({ result, detail });
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.on('message', (msg) => {
      if (msg.toString() === token) done('open');
    });
    socket.on('error', (err) => done(err.code === 'ECONNREFUSED' ? 'refused' : 'error', err.code ?? String(err)));
    socket.connect(port, ip, (err) => {
      if (err) return done('error', String(err));
      socket.send(token);
    });
  });
}

try {
  await listen();
} catch (err) {
  process.stderr.write(`endpoint: cannot listen: ${err}\n`);
  process.exit(2);
}
out({ ready: true });
const lines = readline.createInterface({ input: process.stdin });
lines.on('line', async (line) => {
  const req = JSON.parse(line);
  const timeoutMs = Math.min(Math.max(Number(req.timeoutMs) || 800, 50), 10_000);
  const res = req.protocol === 'UDP' ? await probeUdp({ ...req, timeoutMs }) : await probeTcp({ ...req, timeoutMs });
  out({ id: req.id, ...res });
});
lines.on('close', () => process.exit(0));
