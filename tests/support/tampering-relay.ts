import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { parseClientFrame, parseServerFrame, type SignalData } from '../../signal/protocol/index.ts';

/**
 * A dishonest signaler for tests: it stands in front of the real one, serves the app through it, and relays
 * every frame, except that it sends the signals of the room's sender and receiver to a machine in the middle
 * instead of to each other, and that machine's signals to each as if they came from the other. The two real
 * peers then each hold a DTLS connection to the middle, which can read and pass on all they say: what a
 * signaler that wants to read a share would do (docs/security.md).
 */
export interface Middle {
  /** A signal the real sender addressed to the receiver (the middle's side facing the sender takes it). */
  fromSender(data: SignalData): void;
  /** A signal the real receiver addressed to the sender. */
  fromReceiver(data: SignalData): void;
}

export interface TamperingRelay {
  url: string;
  /** Sends the middle's signal to the real sender, as if from the receiver. */
  toSender(data: SignalData): void;
  /** Sends the middle's signal to the real receiver, as if from the sender. */
  toReceiver(data: SignalData): void;
  stop(): Promise<void>;
}

interface Client {
  socket: WebSocket;
  role?: 'sender' | 'receiver';
  peerId?: string;
}

export async function startTamperingRelay(upstream: string, middle: Middle): Promise<TamperingRelay> {
  const clients = new Set<Client>();
  const withRole = (role: 'sender' | 'receiver') => [...clients].find((c) => c.role === role && c.peerId);
  /** The middle's signals, in order, until both peers it stands between have joined. */
  const pending: Array<{ to: 'sender' | 'receiver'; from: 'sender' | 'receiver'; data: SignalData }> = [];
  const flush = () => {
    while (pending.length > 0) {
      const { to, from, data } = pending[0]!;
      const target = withRole(to);
      const impersonated = withRole(from);
      if (!target || !impersonated) return;
      pending.shift();
      target.socket.send(JSON.stringify({ type: 'signal', from: impersonated.peerId, data }));
    }
  };
  const wss = new WebSocketServer({ noServer: true });
  const server: Server = createServer((request, response) => {
    void (async () => {
      const answer = await fetch(`${upstream}${request.url ?? '/'}`);
      response.writeHead(answer.status, Object.fromEntries(answer.headers));
      response.end(Buffer.from(await answer.arrayBuffer()));
    })().catch(() => response.destroy());
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    wss.handleUpgrade(request, socket, head, (browserSide) => {
      const client: Client = { socket: browserSide };
      clients.add(client);
      const upstreamSide = new WebSocket(`${upstream.replace(/^http/, 'ws')}/ws`);
      const early: string[] = [];
      upstreamSide.on('open', () => early.splice(0).forEach((f) => upstreamSide.send(f)));
      browserSide.on('message', (raw) => {
        const text = raw.toString();
        const parsed = parseClientFrame(text);
        if (parsed.ok && parsed.frame.type === 'join') client.role = parsed.frame.role;
        if (parsed.ok && parsed.frame.type === 'signal' && client.role) {
          // Diverted: the other real peer never hears of it.
          if (client.role === 'sender') middle.fromSender(parsed.frame.data);
          else middle.fromReceiver(parsed.frame.data);
          return;
        }
        if (upstreamSide.readyState === WebSocket.OPEN) upstreamSide.send(text);
        else early.push(text);
      });
      upstreamSide.on('message', (raw) => {
        const text = raw.toString();
        const parsed = parseServerFrame(text);
        browserSide.send(text);
        if (parsed.ok && parsed.frame.type === 'joined') {
          client.peerId = parsed.frame.peerId;
          flush();
        }
      });
      const closeBoth = () => {
        clients.delete(client);
        browserSide.close();
        upstreamSide.close();
      };
      browserSide.on('close', closeBoth);
      upstreamSide.on('close', closeBoth);
      upstreamSide.on('error', closeBoth);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const deliver = (to: 'sender' | 'receiver', from: 'sender' | 'receiver', data: SignalData) => {
    pending.push({ to, from, data });
    flush();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    toSender: (data) => deliver('sender', 'receiver', data),
    toReceiver: (data) => deliver('receiver', 'sender', data),
    stop: async () => {
      for (const client of clients) client.socket.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
