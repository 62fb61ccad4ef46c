import { serve } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import { createApp, createMetricsApp } from './app.ts';
import { loadConfig } from './config.ts';
import { MemoryRoomRegistry, type RoomRegistry } from './rooms/room-registry.ts';
import { CloseCode, MAX_FRAME_BYTES } from './protocol/index.ts';
import { startHeartbeat } from './liveness/heartbeat.ts';
import { Metrics } from './observability/metrics.ts';
import { jsonLogger as log } from './observability/logger.ts';

/** How long shutdown waits for sockets to close and rooms to hear of it before it gives up. */
const SHUTDOWN_GRACE_MS = 3000;

const config = loadConfig();
const limits = { maxPeersPerRoom: config.maxPeersPerRoom, emptyRoomGraceMs: config.emptyRoomGraceMs };
// The Redis client is loaded only when it is used: a single instance should not pay for it.
const rooms: RoomRegistry = config.redisUrl
  ? await (await import('./rooms/redis-room-registry.ts')).RedisRoomRegistry.connect(config.redisUrl, limits, log)
  : new MemoryRoomRegistry(limits);
const metrics = new Metrics();
const app = createApp({ config, rooms, metrics, log });
// Frames a little over the protocol's cap still reach the session, which answers them
// with a `too-large` error; anything far over it is abuse and ws closes the socket (1009).
const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * MAX_FRAME_BYTES });
const stopHeartbeat = startHeartbeat(wss, config.heartbeatMs, () => log.info('heartbeat-timeout'));

const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host, websocket: { server: wss } }, (info) => {
  log.info('listening', { host: info.address, port: info.port, rooms: config.redisUrl ? 'redis' : 'memory', turn: config.ice.turn !== undefined });
});

const metricsServer =
  config.metrics &&
  serve({ fetch: createMetricsApp({ rooms, metrics }).fetch, port: config.metrics.port, hostname: config.metrics.host }, (info) => {
    log.info('metrics-listening', { host: info.address, port: info.port });
  });

async function until(done: () => boolean, deadline: number): Promise<void> {
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Stop accepting, tell every client to reconnect (elsewhere), let their rooms hear they left, exit. */
async function shutdown(signal: string): Promise<void> {
  log.info('shutting-down', { signal, connections: wss.clients.size });
  const deadline = Date.now() + SHUTDOWN_GRACE_MS;
  stopHeartbeat();
  server.close();
  metricsServer?.close();
  for (const client of wss.clients) client.close(CloseCode.restarting, 'server restarting');
  await until(() => wss.clients.size === 0 && rooms.stats().peers === 0, deadline);
  for (const client of wss.clients) client.terminate();
  await rooms.close();
  log.info('stopped');
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
