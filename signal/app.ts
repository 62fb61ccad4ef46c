import { Hono, type Context, type MiddlewareHandler } from 'hono';
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

/**
 * @hono/node-server's upgradeWebSocket keeps the upgrade's Context for the socket's whole life (its
 * message handlers close over it). Once the socket is open, let go of what the Context holds that
 * nothing reads any more: the Node request, the 101 response with its headers, and the upgrade
 * request's headers (the client address was taken before). About 3.9 KB of heap a socket.
 */
function releaseUpgrade(c: Context): void {
  (c.env as { incoming?: unknown }).incoming = undefined;
  c.res = undefined;
  const headers = c.req.raw.headers;
  for (const name of [...headers.keys()]) headers.delete(name);
}

/** `/metrics` in the Prometheus text format, on a port of its own (METRICS_PORT) so it can stay off the internet. */
export function createMetricsApp({ rooms, metrics }: Pick<AppDeps, 'rooms' | 'metrics'>): Hono {
  const app = new Hono();
  app.get('/metrics', (c) => c.text(metrics.render(rooms.stats()), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }));
  return app;
}

export function createApp({ config, rooms, metrics, log }: AppDeps): Hono {
  const iceFor = (peerId: string) => ({ iceServers: iceServersFor(config.ice, peerId), iceTransportPolicy: config.iceTransportPolicy });
  const sessions: SessionContext = { rooms, quota: new IpRoomQuota(config.maxRoomsPerIp), rateLimit: config.rateLimit, iceFor, metrics, log };

  const app = new Hono();
  app.use('*', securityHeaders());

  app.get('/healthz', (c) => c.json({ ok: true, ...rooms.stats() }));
  // No /metrics here (it has a port of its own, createMetricsApp) and no /api/ice: ICE servers and TURN
  // credentials come in the `joined` frame, to peers that joined a room, not to anyone who asks.

  app.get(
    '/ws',
    upgradeWebSocket((c) => {
      const ip = clientIp(c, config.trustProxy);
      let session: SignalingSession | undefined;
      return {
        onOpen(_event, ws) {
          releaseUpgrade(c);
          metrics.connectionsOpen++;
          metrics.connectionsTotal++;
          // The WSContext already has the session's `send` and `close`: no wrapper object per socket.
          session = new SignalingSession(ws, ip, sessions);
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
  // The service worker and the manifest are checked again on every load (docs/architecture.md, "Offline and
  // install"): a worker cached for long would keep an old version of the app running after a release.
  const revalidated: MiddlewareHandler = async (c, next) => {
    await next();
    if (c.res.ok) c.header('Cache-Control', 'no-cache');
  };
  app.use('/sw.js', revalidated);
  app.use('/manifest.webmanifest', revalidated);
  app.use('*', serveStatic({ root: config.staticDir }));

  let indexHtml: Promise<string> | undefined;
  const spaShell = async () => (indexHtml ??= readFile(join(config.staticDir, 'index.html'), 'utf8'));
  const serveShell = async (c: Context) => {
    c.header('Cache-Control', 'no-cache');
    return c.html(await spaShell());
  };
  // The app's own paths besides `/` (served as index.html by serveStatic): a share link and the library.
  app.get('/r/:room', serveShell);
  app.get('/library', serveShell);
  app.notFound((c) => c.text('Not found', 404));
  return app;
}
