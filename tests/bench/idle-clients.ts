/**
 * Holds COUNT idle WebSockets open to URL until killed, for the signaling
 * benchmark. With MODE=signal each socket joins a room of its own as its
 * sender, which is what a sender waiting for its receiver looks like.
 * Prints one JSON line {"ready": n} once every socket is open (and joined).
 */
import WebSocket from 'ws';

const url = process.env.URL!;
const count = Number(process.env.COUNT);
const mode = process.env.MODE;
const IN_FLIGHT = 200;

const sockets: WebSocket[] = [];
const randomRoom = () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');

function openOne(): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    sockets.push(ws);
    ws.once('error', reject);
    ws.once('open', () => {
      if (mode !== 'signal') return resolve();
      ws.once('message', (data) => (String(data).startsWith('{"type":"joined"') ? resolve() : reject(new Error(String(data)))));
      ws.send(JSON.stringify({ type: 'join', room: randomRoom(), role: 'sender' }));
    });
  });
}

let next = 0;
async function lane(): Promise<void> {
  while (next < count) {
    next++;
    await openOne();
  }
}
await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, count) }, lane));
console.log(JSON.stringify({ ready: sockets.length }));
process.once('SIGTERM', () => process.exit(0));
setInterval(() => {}, 1 << 30);
