import { serve } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { MemoryRoomRegistry } from './rooms/room-registry.ts';
import { MAX_FRAME_BYTES } from './protocol/index.ts';

const config = loadConfig();
const rooms = new MemoryRoomRegistry({ maxPeersPerRoom: config.maxPeersPerRoom, emptyRoomGraceMs: config.emptyRoomGraceMs });
const app = createApp(config, rooms);
// Frames a little over the protocol's cap still reach the session, which answers them
// with a `too-large` error; anything far over it is abuse and ws closes the socket (1009).
const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * MAX_FRAME_BYTES });

const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host, websocket: { server: wss } }, (info) => {
  console.log(JSON.stringify({ event: 'listening', host: info.address, port: info.port }));
});

function shutdown(): void {
  wss.clients.forEach((client) => client.close(1012, 'server restarting'));
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
