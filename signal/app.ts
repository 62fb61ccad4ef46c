import { Hono } from 'hono';
import { upgradeWebSocket } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './config.ts';
import type { RoomRegistry } from './rooms/room-registry.ts';
import { SignalingSession } from './signaling/session.ts';
import { securityHeaders } from './security-headers.ts';

export function createApp(config: Config, rooms: RoomRegistry): Hono {
  const app = new Hono();
  app.use('*', securityHeaders());

  app.get('/healthz', (c) => c.json({ ok: true, ...rooms.stats() }));
  app.get('/api/ice', (c) => c.json({ iceServers: config.iceServers }));

  app.get(
    '/ws',
    upgradeWebSocket(() => {
      let session: SignalingSession | undefined;
      return {
        onOpen(_event, ws) {
          session = new SignalingSession(
            { send: (text) => ws.send(text), close: (code, reason) => ws.close(code, reason) },
            rooms,
            () => config.iceServers,
          );
        },
        onMessage(event, ws) {
          if (typeof event.data !== 'string') {
            ws.send(JSON.stringify({ type: 'error', code: 'bad-frame', message: 'frames must be JSON text' }));
            return;
          }
          void session?.receive(event.data);
        },
        onClose() {
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
