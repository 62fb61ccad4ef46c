/**
 * The bench's round-trip section: raw DataChannels (one, striped over several channels, striped over several
 * connections) and the app, at 0, 20 and 50 ms round trips, with the round trip the browsers reached printed
 * next to each figure, and app ÷ raw at each.
 *
 * The kernel here has no netem, so the delay is added in user space: both browsers reach a real coturn on
 * loopback only through a UDP delay proxy (tests/support/udp-delay-proxy.ts), given to them as their TURN server
 * with `iceTransportPolicy: "relay"` (raw runs: credentials minted here; app runs: a signaler with TURN_URLS set
 * to the proxy). A path from one browser to the other crosses the proxy twice, so the proxy holds each datagram
 * a quarter of the round trip. The proxy and coturn run in sessions of their own at a raised priority, since on
 * two cores their CPU would otherwise come out of the browsers' turns.
 *
 * Alone (after `npm run build`): `npm run bench:latency`, or
 *   npx tsx -e "import('./tests/bench/latency-bench.ts').then((m) => m.benchLatency())"
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { mintTurnCredentials } from '../../signal/ice/turn-credentials.ts';
import { launchChromium, type ChromiumPeer } from '../support/chromium.ts';
import { makeFile, scratchDir, type SourceFile } from '../support/files.ts';
import { startSignalServer } from '../support/signal-server.ts';
import { startTurn } from '../support/turn-server.ts';
import { raisePriority, startDelayProxyProcess, type DelayProxyProcess } from '../support/udp-delay-proxy.ts';
import { TIMING_SCRIPT, timedAppTransfer } from './app-timing.ts';
import { closeStriped, measureRawStriped } from './raw-channel.ts';
import { channelsOpened, connectionsOpened, ROUND_TRIP_SCRIPT, roundTripSamples } from './round-trip.ts';

const MiB = 1024 * 1024;
/** Round trips between the browsers, ms; the proxy holds each datagram a quarter of it, each way. */
export const ROUND_TRIPS_MS = process.env.LATENCY_RTTS ? process.env.LATENCY_RTTS.split(',').map(Number) : [0, 20, 50];
/**
 * MiB per figure: enough for the congestion windows to open (8 MiB per connection when striped over four) and for
 * several round-trip samples (one a second), few enough that the section adds about five minutes to the bench.
 */
const SIZE_MIB: Record<number, number> = Object.fromEntries(ROUND_TRIPS_MS.map((ms) => [ms, Number(process.env.LATENCY_MIB ?? 32)]));
/** Channels, or connections, a striped raw run spreads over. */
const STRIPES = 4;
/**
 * Runs per figure, the figure being their median. One run is not enough here: the browsers' and coturn's UDP
 * sockets drop datagrams when a burst meets a busy core, and SCTP halves its window at each loss, so two runs of the
 * same kind have differed by 2× on this machine. The runs of a round trip take turns (each kind once, then again).
 */
const REPEATS = Number(process.env.LATENCY_REPEATS ?? 3);
/** As in transfer-bench.ts: each browser on a core of its own. */
const SENDER_CPU = '0';
const RECEIVER_CPU = '1';

type Kind = 'raw' | 'raw striped' | 'raw connections' | 'app';

/** One run. */
export interface LatencyRun {
  /** The round trip the proxy was set for. */
  setMs: number;
  kind: Kind;
  label: string;
  sizeMiB: number;
  mbPerSecond: number;
  /** Median of the round trips the two pages' selected candidate pairs reported during the run; NaN if none. */
  reachedMs: number;
  reachedRange: [number, number] | undefined;
  /**
   * DataChannels the receiver's connections opened, by its getStats(): for the app, its channel, and per lane the
   * lane's signal channel and its stripe.
   */
  channels: number;
  /** The receiver's connections that carried the run: for the app, its connection and its lanes. */
  connections: number;
  /** CPU seconds the delay proxy used over the run. */
  proxyCpuSeconds: number;
  /** Datagrams the machine's UDP sockets dropped for a full receive buffer during the run (/proc/net/snmp). */
  droppedDatagrams: number;
}

/** A figure of the table: the median of REPEATS runs of one kind at one round trip. */
export interface LatencyRow extends LatencyRun {
  /** Every run's MB/s, in the order they ran. */
  runs: number[];
}

/** The kernel's count of UDP datagrams dropped because a socket's receive buffer was full. */
async function udpReceiveBufferErrors(): Promise<number> {
  const lines = (await readFile('/proc/net/snmp', 'utf8').catch(() => '')).split('\n').filter((line) => line.startsWith('Udp:'));
  const [names, values] = lines.map((line) => line.split(/\s+/));
  const at = names?.indexOf('RcvbufErrors') ?? -1;
  return at > 0 ? Number(values?.[at]) : NaN;
}

const ALL_RUNS: Array<{ kind: Kind; label: string; connections: number; channelsPerConnection: number }> = [
  { kind: 'raw', label: 'raw, 1 channel', connections: 1, channelsPerConnection: 1 },
  { kind: 'app', label: 'app', connections: 1, channelsPerConnection: 1 },
  { kind: 'raw striped', label: `raw, ${STRIPES} channels on 1 connection`, connections: 1, channelsPerConnection: STRIPES },
  { kind: 'raw connections', label: `raw, ${STRIPES} connections of 1 channel`, connections: STRIPES, channelsPerConnection: 1 },
];
/** `LATENCY_KINDS=raw,app` (with `LATENCY_RTTS=50`) narrows a run to what one is looking into. */
const RUNS = process.env.LATENCY_KINDS ? ALL_RUNS.filter((r) => process.env.LATENCY_KINDS!.split(',').includes(r.kind)) : ALL_RUNS;

const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;
const median = (values: number[]): number => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** One run on a fresh receiver (pinned, with the round-trip sampler), closed afterwards. */
async function run(
  sender: ChromiumPeer,
  proxy: DelayProxyProcess,
  setMs: number,
  spec: (typeof RUNS)[number],
  measure: (receiver: ChromiumPeer) => Promise<number>,
): Promise<LatencyRun> {
  execFileSync('sync');
  const receiver = await launchChromium({ cpus: RECEIVER_CPU });
  try {
    await receiver.context.addInitScript(ROUND_TRIP_SCRIPT);
    if (spec.kind === 'app') await receiver.context.addInitScript(TIMING_SCRIPT);
    const cpuBefore = await proxy.cpuSeconds();
    const dropsBefore = await udpReceiveBufferErrors();
    const mbPerSecond = await measure(receiver);
    const droppedDatagrams = (await udpReceiveBufferErrors()) - dropsBefore;
    const proxyCpuSeconds = (await proxy.cpuSeconds()) - cpuBefore;
    const samples = await roundTripSamples(sender.page, receiver.page);
    const channels = await channelsOpened(receiver.page);
    const connections = await connectionsOpened(receiver.page);
    if (spec.kind !== 'app') await closeStriped(sender.page, receiver.page);
    const row: LatencyRun = {
      setMs,
      kind: spec.kind,
      label: spec.label,
      sizeMiB: SIZE_MIB[setMs]!,
      mbPerSecond,
      reachedMs: median(samples),
      reachedRange: samples.length ? [Math.min(...samples), Math.max(...samples)] : undefined,
      channels,
      connections,
      proxyCpuSeconds: round(proxyCpuSeconds, 2),
      droppedDatagrams,
    };
    console.log(
      `${setMs} ms set, ${spec.label}: ${round(mbPerSecond)} MB/s over ${connections} connections, ${channels} channels, reached ${round(row.reachedMs)} ms ` +
        `(${samples.length} samples${row.reachedRange ? `, ${round(row.reachedRange[0])}–${round(row.reachedRange[1])}` : ''}), proxy CPU ${row.proxyCpuSeconds} s, ` +
        `${droppedDatagrams} datagrams dropped by full socket buffers`,
    );
    return row;
  } finally {
    await receiver.close();
  }
}

export interface LatencyResult {
  rows: LatencyRow[];
  /** Every run, in the order they ran. */
  runs: LatencyRun[];
  /** Markdown table. */
  table: string;
  /** A `### Round trips` subsection for the README's Benchmarks section: how it is measured, the table. */
  section: string;
}

export async function benchLatency(): Promise<LatencyResult> {
  const dir = await scratchDir();
  const secret = randomBytes(18).toString('base64url');
  const turn = await startTurn(secret, { ownSession: true });
  // coturn leads its own session, so Ctrl-C at the terminal does not reach it: end it on the way out.
  const killTurn = (): void => void turn.process.kill('SIGKILL');
  const onSignal = (): void => {
    killTurn();
    process.exit(130);
  };
  process.once('exit', killTurn);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const sender = await launchChromium({ cpus: SENDER_CPU });
  const runs: LatencyRun[] = [];
  try {
    const problem = await raisePriority(turn.process.pid!);
    if (problem) console.log(`coturn runs at normal priority: ${problem}`);
    await sender.context.addInitScript(ROUND_TRIP_SCRIPT);
    const files = new Map<number, SourceFile>();
    for (const size of new Set(Object.values(SIZE_MIB))) files.set(size, await makeFile(dir, `latency-${size}MiB.bin`, size * MiB));
    for (const setMs of ROUND_TRIPS_MS) {
      const proxy = await startDelayProxyProcess({ upstreamPort: turn.port, delayMs: setMs / 4 });
      if (proxy.priorityProblem) console.log(`the delay proxy runs at normal priority: ${proxy.priorityProblem}`);
      const server = await startSignalServer({ TURN_URLS: proxy.url, TURN_SECRET: secret, TURN_TTL_SECONDS: '3600', ICE_TRANSPORT_POLICY: 'relay' });
      const rtc: RTCConfiguration = { iceServers: [{ urls: proxy.url, ...mintTurnCredentials(secret, 'bench', 3600) }], iceTransportPolicy: 'relay' };
      const file = files.get(SIZE_MIB[setMs]!)!;
      try {
        for (let repeat = 0; repeat < REPEATS; repeat++) {
          for (const spec of RUNS) {
            runs.push(
              await run(sender, proxy, setMs, spec, async (receiver) =>
                spec.kind === 'app'
                  ? (await timedAppTransfer(sender, receiver, server.url, file)).mbPerSecond
                  : measureRawStriped(sender.page, receiver.page, server.url, file.size, { ...spec, rtc }),
              ),
            );
          }
        }
      } finally {
        await server.stop();
        await proxy.stop();
      }
    }
  } finally {
    await sender.close();
    await turn.stop();
    process.off('exit', killTurn);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await rm(dir, { recursive: true, force: true });
  }
  const rows = figures(runs);
  const table = latencyTable(rows);
  console.log(`\n${table}\n`);
  return { rows, runs, table, section: section(table) };
}

/** Each kind's runs at each round trip, as the run of median speed with every run's speed beside it. */
function figures(runs: LatencyRun[]): LatencyRow[] {
  return ROUND_TRIPS_MS.flatMap((setMs) =>
    RUNS.flatMap(({ kind }) => {
      const same = runs.filter((r) => r.setMs === setMs && r.kind === kind);
      const middle = [...same].sort((a, b) => a.mbPerSecond - b.mbPerSecond)[(same.length - 1) >> 1];
      return middle ? [{ ...middle, runs: same.map((r) => round(r.mbPerSecond, 2)) }] : [];
    }),
  );
}

function latencyTable(rows: LatencyRow[]): string {
  const figure = (row: LatencyRow | undefined): string =>
    row
      ? `${round(row.mbPerSecond)} MB/s (${round(Math.min(...row.runs))}–${round(Math.max(...row.runs))}) @ ${Number.isNaN(row.reachedMs) ? '?' : round(row.reachedMs)} ms, ${row.connections} conn, ${row.channels} ch`
      : '';
  const lines = [
    `| round trip set | ${RUNS.map((r) => r.label).join(' | ')} | app ÷ raw 1 channel | app ÷ raw ${STRIPES} channels | app ÷ raw ${STRIPES} connections |`,
    `| --- | ${RUNS.map(() => '---').join(' | ')} | --- | --- | --- |`,
  ];
  for (const setMs of ROUND_TRIPS_MS) {
    const of = (kind: Kind): LatencyRow | undefined => rows.find((r) => r.setMs === setMs && r.kind === kind);
    const app = of('app');
    const ratio = (kind: Kind): string => (app && of(kind) ? (app.mbPerSecond / of(kind)!.mbPerSecond).toFixed(2) : '');
    lines.push(
      `| ${setMs} ms (${SIZE_MIB[setMs]} MiB) | ${RUNS.map((r) => figure(of(r.kind))).join(' | ')} | ${ratio('raw')} | ${ratio('raw striped')} | ${ratio('raw connections')} |`,
    );
  }
  return lines.join('\n');
}

const section = (table: string): string =>
  `### Round trips\n\n` +
  `The same two pinned browsers, every packet relayed: both reach a coturn on loopback only through a UDP proxy (Node \`dgram\`, tests/support/udp-delay-proxy.ts) given to them as their TURN server with \`iceTransportPolicy: "relay"\`, which holds each datagram a quarter of the set round trip each way (a path from one browser to the other crosses it twice); this kernel has no netem. ` +
  `The proxy and coturn run in sessions of their own whose autogroup is at nice −10. Each figure is the median of ${REPEATS} runs (their range in brackets; "@", "conn" and "ch" are the median run's), fresh receiver each, the kinds taking turns: runs of one kind differ by 2× and more here, since the browsers' and coturn's UDP sockets drop datagrams when a burst meets a busy core (counted per run in bench-results.json) and SCTP halves its window at each loss. "conn" is how many connections the receiver had connected and "ch" how many DataChannels they opened (getStats \`dataChannelsOpened\`): the app opens one lane (a connection of its own, negotiated over the first, carrying one stripe) per 10 ms of measured round trip, up to 3, so 1 + 2 per lane channels (docs/protocols.md, "Striping"); raw runs stripe 256 KiB messages over the channels with the app's water marks per channel and put nothing back in order, after 20 small round trips on each channel, as the app's handshake makes before its first chunk (without them a cold connection at 50 ms sometimes stayed near 0.9 MB/s for the whole run; tests/bench/raw-channel.ts). ` +
  `"@" is the median \`currentRoundTripTime\` of the selected candidate pair, read from both browsers' \`getStats()\` once a second during the run: it includes what a busy machine adds, so it is above the setting. The proxy costs 40–60 µs of CPU a datagram here (about 4–6 CPU-seconds a 32 MiB run, in bench-results.json), most of it in the kernel's loopback send (a CPU profile of the proxy puts about 27 µs of each datagram in dgram's \`doSend\`), which comes out of the browsers' two cores: compare figures within a row, not with the loopback table above. Alone: \`npm run bench:latency\`. Latest run, ${new Date().toISOString().slice(0, 10)}:\n\n${table}`;

/** Replaces (or adds) the `### Round trips` part of the README's Benchmarks section, leaving the rest as it is. */
async function updateReadmeSection(text: string): Promise<void> {
  const readme = await readFile('README.md', 'utf8');
  const benchmarks = readme.indexOf('\n## Benchmarks\n');
  if (benchmarks < 0) throw new Error('README.md has no ## Benchmarks section');
  const sectionEnd = ((i) => (i < 0 ? readme.length : i))(readme.indexOf('\n## ', benchmarks + 1));
  const start = readme.indexOf('\n### Round trips\n', benchmarks);
  const [from, to] =
    start >= 0 && start < sectionEnd ? [start, ((i) => (i < 0 || i > sectionEnd ? sectionEnd : i))(readme.indexOf('\n##', start + 1))] : [sectionEnd, sectionEnd];
  const before = readme.slice(0, from).trimEnd();
  await writeFile('README.md', `${before}\n\n${text}\n${readme.slice(to)}`);
}

async function main(): Promise<void> {
  const result = await benchLatency();
  let results: Record<string, unknown> = {};
  try {
    results = JSON.parse(await readFile('bench-results.json', 'utf8')) as Record<string, unknown>;
  } catch {
    // No results yet.
  }
  results.latency = { measuredAt: new Date().toISOString(), command: 'npm run bench:latency', rows: result.rows, runs: result.runs };
  await writeFile('bench-results.json', `${JSON.stringify(results, null, 2)}\n`);
  await updateReadmeSection(result.section);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
