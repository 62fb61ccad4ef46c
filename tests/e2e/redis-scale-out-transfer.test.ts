import { afterAll, beforeAll, expect, test } from 'vitest';
import { makeFile } from '../support/files.ts';
import { startRedis, type RunningRedis } from '../support/redis-server.ts';
import { startSignalServer, type RunningServer } from '../support/signal-server.ts';
import { saveAndVerify, shareFiles, waitForRows, receiveLink } from '../support/transfer-flow.ts';
import { useTransferPeers } from '../support/transfer-peers.ts';

const peers = useTransferPeers();
let redis: RunningRedis;
let one: RunningServer;
let two: RunningServer;

beforeAll(async () => {
  redis = await startRedis();
  [one, two] = await Promise.all([startSignalServer({ REDIS_URL: redis.url }), startSignalServer({ REDIS_URL: redis.url })]);
});

afterAll(async () => {
  await Promise.all([one?.stop(), two?.stop()]);
  await redis?.stop();
});

test('a sender on one signaler instance and a receiver on another complete a transfer through Redis', async () => {
  const { sender, receiver, dir } = peers;
  const files = [await makeFile(dir, 'scale-out.bin', 3 * 1024 * 1024)];
  const link = await shareFiles(sender, one.url, files);
  // The same link, served by the other instance: as a load balancer would send the receiver elsewhere.
  await receiveLink(receiver, link.replace(one.url, two.url));
  await waitForRows(receiver, files.length, 'complete');
  await saveAndVerify(receiver, files);

  // Each instance saw only its own peer: the meeting happened through Redis.
  const peerCount = async (server: RunningServer) => ((await (await fetch(`${server.url}/healthz`)).json()) as { peers: number }).peers;
  expect(await peerCount(one)).toBe(1);
  expect(await peerCount(two)).toBe(1);
});
