/**
 * `npm run bench:signal`: how many idle sockets one signaler holds and in how
 * much memory, and how fast it relays signals meanwhile, next to a bare `ws`
 * echo server under the same load. Prints the figures and writes them to
 * bench-results.json under "signal" (other keys in that file are kept).
 *
 * Both servers carry IDLE idle sockets (held by child processes) while PAIRS
 * pairs of sockets in this process exchange RATE messages per second for
 * SECONDS: signaler sender → server → receiver, and echo client → server → client.
 */
import WebSocket from 'ws';
import { readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { startSignalServer } from '../support/signal-server.ts';
import { startChild, type Child } from '../support/child-process.ts';
import { freePort } from '../support/free-port.ts';
import { residentBytes } from '../support/process-memory.ts';

const IDLE = Number(process.env.BENCH_IDLE ?? 19_000);
const CLIENT_PROCESSES = 4;
const PAIRS = 50;
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = 1;
const TARGET = { sockets: 20_000, rssMiB: 400 };

interface Target {
  name: 'signal' | 'echo';
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const MiB = 1024 * 1024;
const round = (n: number, digits = 3) => Number(n.toFixed(digits));
const wsUrl = (httpUrl: string) => `${httpUrl.replace(/^http/, 'ws')}/ws`;

async function startEcho(): Promise<Target> {
  const port = await freePort();
  const child = await startChild(process.execPath, ['--import', 'tsx', 'tests/bench/ws-echo-server.ts'], {
    name: 'echo server',
    env: { ...process.env, PORT: String(port) },
    ready: (output) => output.includes('listening'),
  });
  return { name: 'echo', url: `ws://127.0.0.1:${port}/ws`, pid: child.process.pid!, stop: child.stop };
}

async function startSignal(): Promise<Target> {
  // No limit may get in the way of one benchmark address holding thousands of rooms.
  const server = await startSignalServer({ MAX_ROOMS_PER_IP: String(IDLE + 1000), HEARTBEAT_SECONDS: '600' });
  return { name: 'signal', url: wsUrl(server.url), pid: server.process.pid!, stop: server.stop };
}

/** Child processes holding `IDLE` sockets to the target, spread so no one process runs out of descriptors. */
async function holdIdle(target: Target): Promise<Child[]> {
  const share = Math.ceil(IDLE / CLIENT_PROCESSES);
  const started = await Promise.allSettled(
    Array.from({ length: CLIENT_PROCESSES }, (_, i) =>
      startChild(process.execPath, ['--import', 'tsx', 'tests/bench/idle-clients.ts'], {
        name: `idle clients ${i}`,
        env: { ...process.env, URL: target.url, COUNT: String(Math.min(share, IDLE - i * share)), MODE: target.name },
        ready: (output) => output.includes('"ready"'),
        timeoutMs: 120_000,
      }),
    ),
  );
  const clients = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(clients.map((c) => c.stop()));
    throw failed.reason;
  }
  return clients;
}

/** Polls RSS until two readings half a second apart differ by under 1 MiB: the figure a steady server holds. */
async function steadyRss(pid: number): Promise<number> {
  let last = await residentBytes(pid);
  for (let i = 0; i < 40; i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = await residentBytes(pid);
    if (Math.abs(now - last) < MiB) return now;
    last = now;
  }
  return last;
}

const open = (url: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });

const nextMessage = (ws: WebSocket) => new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));

/** One sending and one receiving socket per pair: for the echo server they are the same socket. */
async function makePairs(target: Target): Promise<Array<{ from: WebSocket; to: WebSocket; toId: string }>> {
  return Promise.all(
    Array.from({ length: PAIRS }, async () => {
      if (target.name === 'echo') {
        const ws = await open(target.url);
        return { from: ws, to: ws, toId: 'AAAAAAAAAAAAAAAAAAAAAA' };
      }
      const room = randomBytes(16).toString('base64url');
      const [from, to] = await Promise.all([open(target.url), open(target.url)]);
      from.send(JSON.stringify({ type: 'join', room, role: 'sender' }));
      await nextMessage(from);
      const peerJoined = nextMessage(from);
      const receiverJoined = nextMessage(to);
      to.send(JSON.stringify({ type: 'join', room, role: 'receiver' }));
      const joined = JSON.parse(await receiverJoined) as { peerId: string };
      await peerJoined;
      return { from, to, toId: joined.peerId };
    }),
  );
}

/** Sends RATE messages a second, spread evenly over the pairs, and returns each message's latency in ms. */
async function measureLatency(target: Target): Promise<number[]> {
  const pairs = await makePairs(target);
  const sentAt: number[] = [];
  const latencies: number[] = [];
  for (const { to } of pairs) {
    to.on('message', (data) => {
      const seq = Number(/candidate:(\d+) /.exec(String(data))?.[1]);
      const at = sentAt[seq];
      if (at !== undefined && seq >= RATE * WARMUP_SECONDS) latencies.push(performance.now() - at);
    });
  }
  const total = RATE * (SECONDS + WARMUP_SECONDS);
  const start = performance.now();
  for (let seq = 0; seq < total; ) {
    const due = Math.floor(((performance.now() - start) / 1000) * RATE);
    for (; seq < Math.min(due, total); seq++) {
      const pair = pairs[seq % PAIRS]!;
      const candidate = `candidate:${seq} 1 udp 2122260223 127.0.0.1 ${10_000 + (seq % 50_000)} typ host`;
      sentAt[seq] = performance.now();
      pair.from.send(JSON.stringify({ type: 'signal', to: pair.toId, data: { candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0 } } }));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const expected = RATE * SECONDS;
  for (const deadline = Date.now() + 10_000; latencies.length < expected && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
  for (const { from, to } of pairs) {
    from.close();
    to.close();
  }
  if (latencies.length < expected) throw new Error(`${target.name}: only ${latencies.length} of ${expected} messages arrived`);
  return latencies.sort((a, b) => a - b);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const progress = (message: string) => process.stderr.write(`${message}\n`);

async function run(start: () => Promise<Target>) {
  const target = await start();
  progress(`${target.name}: started; opening ${IDLE} idle sockets`);
  const clients: Child[] = [];
  try {
    const idleRss = await steadyRss(target.pid);
    const began = performance.now();
    clients.push(...(await holdIdle(target)));
    const connectSeconds = (performance.now() - began) / 1000;
    const rss = await steadyRss(target.pid);
    progress(`${target.name}: ${IDLE} idle sockets in ${(rss / MiB).toFixed(1)} MiB; measuring latency`);
    const latencies = await measureLatency(target);
    return {
      rssMiB: round(rss / MiB, 1),
      emptyRssMiB: round(idleRss / MiB, 1),
      perSocketKiB: round((rss - idleRss) / 1024 / IDLE, 1),
      connectSeconds: round(connectSeconds, 1), p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)), samples: latencies.length };
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await target.stop();
  }
}

const signal = await run(startSignal);
const echo = await run(startEcho);
const result = {
  idleSockets: IDLE,
  /** The hard limit on open files per process here (20,000 on these machines) caps one server below 20,000 sockets. */
  openFilesHardLimit: Number(execFileSync('bash', ['-c', 'ulimit -Hn']).toString().trim()),
  target: TARGET,
  messagesPerSecond: RATE,
  seconds: SECONDS,
  pairs: PAIRS,
  signaler: signal,
  echo,
  withinTarget: IDLE >= TARGET.sockets && signal.rssMiB < TARGET.rssMiB,
  ratios: { rss: round(signal.rssMiB / echo.rssMiB, 2), perSocket: round(signal.perSocketKiB / echo.perSocketKiB, 2), p50: round(signal.p50Ms / echo.p50Ms, 2), p99: round(signal.p99Ms / echo.p99Ms, 2) },
  measuredAt: new Date().toISOString(),
};
console.log(JSON.stringify(result, null, 2));

const file = 'bench-results.json';
let existing: Record<string, unknown> = {};
try {
  existing = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
} catch {
  // no results yet
}
await writeFile(file, `${JSON.stringify({ ...existing, signal: result }, null, 2)}\n`);
console.log(`signaler: ${IDLE} idle sockets in ${signal.rssMiB} MiB RSS; relayed signal p50 ${signal.p50Ms} ms, p99 ${signal.p99Ms} ms`);
console.log(`vs bare ws echo: RSS ×${result.ratios.rss}, p50 ×${result.ratios.p50}, p99 ×${result.ratios.p99}; written to ${file} under "signal"`);
process.exit(0);
