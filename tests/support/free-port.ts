import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/** A TCP port on loopback that nothing listens on right now, chosen by the kernel (from its ephemeral range). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Ports for servers the tests kill and start again on the same port (coturn, redis): below the kernel's ephemeral
 * range (32768–60999 on Linux), where no browser's ICE socket, no port-0 server and no relay allocation (coturn's
 * are 40000–40999 here) can take the port while the server is down.
 */
const SERVICE_PORTS = { first: 20_000, last: 32_000 };

const tcpFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

const udpFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.unref();
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });

/** A loopback port outside the ephemeral range that is free for both TCP and UDP right now. */
async function freeServicePort(): Promise<number> {
  for (;;) {
    const port = SERVICE_PORTS.first + Math.floor(Math.random() * (SERVICE_PORTS.last - SERVICE_PORTS.first));
    if ((await tcpFree(port)) && (await udpFree(port))) return port;
  }
}

/**
 * For servers that cannot bind port 0 and report it (redis-server, turnserver):
 * starts one on a free service port, and on a fresh port again if the start fails,
 * since another process may take a free port before the server binds it.
 */
export async function onFreePort<T>(start: (port: number) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freeServicePort());
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}
