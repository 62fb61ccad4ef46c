import { Hono, type Context } from 'hono';
import { upgradeWebSocket } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { serveStatic } from '@hono/node-server/serve-static';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './config.ts';
import type { RoomRegistry } from './rooms/room-registry.ts';
import { SignalingSession, type SessionContext } from './signaling/session.ts';
import { securityHeaders } from './http/security-headers.ts';
import { iceServersFor } from './ice/ice-servers.ts';
import { IpRoomQuota } from './limits/ip-room-quota.ts';
import type { Metrics } from './observability/metrics.ts';
import type { Logger } from './observability/logger.ts';
import { randomId } from './ids.ts';

export interface AppDeps {
  config: Config;
  rooms: RoomRegistry;
  metrics: Metrics;
  log: Logger;
}

/** The client's address: the socket's peer, or with TRUST_PROXY the entry our proxy appended to X-Forwarded-For. */
function clientIp(c: Context, trustProxy: boolean): string {
  const forwarded = trustProxy ? c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim() : undefined;
  return forwarded || getConnInfo(c).remote.address || 'unknown';
}

export function createApp({ config, rooms, metrics, log }: AppDeps): Hono {
  const iceFor = (peerId: string) => ({ iceServers: iceServersFor(config.ice, peerId), iceTransportPolicy: config.iceTransportPolicy });
  const sessions: SessionContext = { rooms, quota: new IpRoomQuota(config.maxRoomsPerIp), rateLimit: config.rateLimit, iceFor, metrics, log };

  const app = new Hono();
  app.use('*', securityHeaders());

  app.get('/healthz', (c) => c.json({ ok: true, ...rooms.stats() }));
  app.get('/metrics', (c) => c.text(metrics.render(rooms.stats()), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }));
  // TURN credentials are minted per call, for a peer id the browser does not have yet.
  app.get('/api/ice', (c) => c.json(iceFor(randomId()), 200, { 'Cache-Control': 'no-store' }));

  app.get(
    '/ws',
    upgradeWebSocket((c) => {
      const ip = clientIp(c, config.trustProxy);
      let session: SignalingSession | undefined;
      return {
        onOpen(_event, ws) {
          metrics.connectionsOpen++;
          metrics.connectionsTotal++;
          session = new SignalingSession({ send: (text) => ws.send(text), close: (code, reason) => ws.close(code, reason) }, ip, sessions);
        },
        onMessage(event) {
          void session?.receive(typeof event.data === 'string' ? event.data : undefined);
        },
        onClose() {
          metrics.connectionsOpen--;
          void session?.socketClosed();
        },
      };
    }),
  );

  // The built app. Hashed assets may be cached for ever; the shell must not be, so updates reach users.
  app.use('/assets/*', async (c, next) => {
    await next();
    if (c.res.ok) c.header('Cache-Control', 'public, max-age=31536000, immutable');
  });
  app.use('*', serveStatic({ root: config.staticDir }));

  let indexHtml: Promise<string> | undefined;
  const spaShell = async () => (indexHtml ??= readFile(join(config.staticDir, 'index.html'), 'utf8'));
  app.get('/r/:room', async (c) => {
    c.header('Cache-Control', 'no-cache');
    return c.html(await spaShell());
  });
  app.notFound((c) => c.text('Not found', 404));
  return app;
}
