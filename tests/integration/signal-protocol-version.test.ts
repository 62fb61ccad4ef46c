import { afterAll, beforeAll, expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import { CloseCode, PROTOCOL_VERSION, serverProtocolFrom } from '../../signal/protocol/index.ts';
import { startSignalServer, type RunningServer } from '../support/signal-server.ts';
import { TestSocket } from '../support/ws-client.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startSignalServer();
});
afterAll(async () => {
  await server?.stop();
});

test('a page stating a protocol version the server does not speak is closed with the server version as reason', async () => {
  for (const query of [`?protocol=${PROTOCOL_VERSION + 1}`, '?protocol=0', '?protocol=abc', '?protocol=']) {
    const socket = await TestSocket.open(server.url, query);
    const closed = await socket.closed;
    expect(closed.code, query).toBe(CloseCode.unsupportedProtocol);
    expect(serverProtocolFrom(closed.reason), query).toBe(PROTOCOL_VERSION);
    expect(socket.received, query).toEqual([]);
  }
});

test('a page stating the current version, or none (pages from before versions were stated), joins as before', async () => {
  for (const query of [`?protocol=${PROTOCOL_VERSION}`, '']) {
    const socket = await TestSocket.open(server.url, query);
    const joined = await socket.join(randomBytes(16).toString('base64url'), 'sender');
    expect(joined.type, query).toBe('joined');
    await socket.close();
  }
});
