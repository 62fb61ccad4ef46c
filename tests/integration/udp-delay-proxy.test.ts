import { afterEach, describe, expect, it } from 'vitest';
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { startDelayProxyProcess, UdpDelayProxy } from '../support/udp-delay-proxy.ts';

/** Things to close after each test. */
const open: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

async function udpSocket(onMessage?: (socket: Socket, data: Buffer, port: number, address: string) => void): Promise<Socket> {
  // Room for a burst: at the default 208 KiB a socket drops small datagrams past the 256th waiting.
  const socket = createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
  if (onMessage) socket.on('message', (data, from) => onMessage(socket, data, from.port, from.address));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  open.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return socket;
}

/** An upstream that answers each datagram with the sender's port it saw and the datagram, to the sender. */
const echoServer = (): Promise<Socket> =>
  udpSocket((socket, data, port, address) => socket.send(Buffer.concat([Buffer.from(`${port}|`), data]), port, address));

async function proxyTo(upstream: Socket, delayMs: number): Promise<UdpDelayProxy> {
  const proxy = await UdpDelayProxy.start({ upstreamPort: upstream.address().port, delayMs });
  open.push(() => proxy.stop());
  return proxy;
}

/** Sends `datagrams` through the proxy from `client` and collects as many replies, each with when it came. */
function exchange(client: Socket, proxyPort: number, datagrams: string[]): Promise<Array<{ text: string; at: number }>> {
  return new Promise((resolve, reject) => {
    const replies: Array<{ text: string; at: number }> = [];
    // A lost datagram fails the test with what came, instead of at the test's timeout.
    const lost = setTimeout(() => reject(new Error(`${replies.length} of ${datagrams.length} replies came`)), 20_000);
    client.on('message', (data) => {
      replies.push({ text: data.toString(), at: performance.now() });
      if (replies.length === datagrams.length) {
        clearTimeout(lost);
        resolve(replies);
      }
    });
    for (const d of datagrams) client.send(d, proxyPort, '127.0.0.1');
  });
}

describe('UDP delay proxy', () => {
  it('holds each datagram at least the delay in each direction', async () => {
    const upstream = await echoServer();
    const proxy = await proxyTo(upstream, 40);
    const client = await udpSocket();
    const sentAt = performance.now();
    const [reply] = await exchange(client, proxy.port, ['ping']);
    // Through the proxy to the echo and back: two crossings of 40 ms. Only a lower bound: a busy machine is slower.
    expect(reply!.at - sentAt).toBeGreaterThanOrEqual(80);
    expect(reply!.text).toMatch(/^\d+\|ping$/);
  });

  it('keeps the order of a burst', async () => {
    const upstream = await echoServer();
    const proxy = await proxyTo(upstream, 5);
    const client = await udpSocket();
    const sent = Array.from({ length: 200 }, (_, i) => `datagram ${i}`);
    const replies = await exchange(client, proxy.port, sent);
    expect(replies.map((r) => r.text.split('|')[1])).toEqual(sent);
  });

  it('forwards both directions for each client through an upstream socket of its own', async () => {
    const upstream = await echoServer();
    const proxy = await proxyTo(upstream, 5);
    const [a, b] = [await udpSocket(), await udpSocket()];
    const [fromA, fromB] = await Promise.all([exchange(a, proxy.port, ['a1', 'a2', 'a3']), exchange(b, proxy.port, ['b1', 'b2'])]);
    // Each client gets its own replies only, and upstream saw each client from one port, a different one for each.
    expect(fromA.map((r) => r.text.split('|')[1])).toEqual(['a1', 'a2', 'a3']);
    expect(fromB.map((r) => r.text.split('|')[1])).toEqual(['b1', 'b2']);
    const portsA = new Set(fromA.map((r) => r.text.split('|')[0]));
    const portsB = new Set(fromB.map((r) => r.text.split('|')[0]));
    expect(portsA.size).toBe(1);
    expect(portsB.size).toBe(1);
    expect([...portsA][0]).not.toBe([...portsB][0]);
    expect(proxy.flows).toBe(2);
  });

  it('runs as a process of its own from its command line', async () => {
    const upstream = await echoServer();
    const proxy = await startDelayProxyProcess({ upstreamPort: upstream.address().port, delayMs: 20 });
    open.push(() => proxy.stop());
    const client = await udpSocket();
    const sentAt = performance.now();
    const [reply] = await exchange(client, proxy.port, ['ping']);
    expect(reply!.at - sentAt).toBeGreaterThanOrEqual(40);
    expect(reply!.text).toMatch(/\|ping$/);
  });
});
