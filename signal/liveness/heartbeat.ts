import type { WebSocket, WebSocketServer } from 'ws';

/**
 * WebSocket ping/pong: every `intervalMs` each socket is pinged, and a socket
 * that has not answered the previous ping is dead (a laptop lid closed, a NAT
 * forgot it) and is terminated, so its peer hears `peer-left` and its room can expire.
 */
export function startHeartbeat(wss: WebSocketServer, intervalMs: number, onDead: () => void): () => void {
  const alive = new WeakSet<WebSocket>();
  wss.on('connection', (ws) => {
    alive.add(ws);
    ws.on('pong', () => alive.add(ws));
  });
  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.delete(ws)) {
        onDead();
        ws.terminate();
        continue;
      }
      ws.ping();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
