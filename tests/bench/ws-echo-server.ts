/** The baseline for the signaling benchmark: a bare `ws` server that sends every text frame back. */
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: Number(process.env.PORT), host: '127.0.0.1' });
wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
wss.on('listening', () => console.log('listening'));
process.once('SIGTERM', () => process.exit(0));
