/**
 * A UDP proxy that holds every datagram a fixed delay, in each direction: the bench's way to put a round trip
 * between two browsers on a kernel without `netem`. It sits between the browsers and a real coturn on loopback;
 * the browsers get the proxy's address as their TURN server, with `iceTransportPolicy: "relay"`.
 *
 *   client ──▶ proxy port ──(delay)──▶ upstream socket for that client ──▶ coturn
 *   client ◀── proxy port ◀──(delay)── upstream socket for that client ◀── coturn
 *
 * Each client address (ip:port) gets an upstream socket of its own, so coturn sees one 5-tuple per browser
 * socket, as it would without the proxy. A browser-to-browser path crosses the proxy twice (both browsers reach
 * coturn through it), so the round trip between two browsers is about 4 × the one-way delay.
 *
 * Datagrams wait in one FIFO queue with a single timer, not one setTimeout each: the delay is the same for
 * every datagram, so arrival order is also due order, order is kept per flow (and overall), and a burst that
 * falls due together is sent in one timer callback. A datagram is never sent before its due time (the timer is
 * re-armed if it fires early); it may leave up to a millisecond or so late, which is why the bench reads the
 * round trip the browsers actually see instead of trusting the setting.
 *
 * Run on its own: `node --import tsx tests/support/udp-delay-proxy.ts --upstream 127.0.0.1:3478 --delay-ms 5`
 * prints one JSON line `{"event":"listening","port":…}` and runs until SIGTERM or until its parent goes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stopProcess } from './child-process.ts';

export interface DelayProxyOptions {
  /** coturn's UDP port on `upstreamHost`. */
  upstreamPort: number;
  upstreamHost?: string;
  /** How long each datagram is held, each way. 0 forwards at once. */
  delayMs: number;
  /** Where to listen on 127.0.0.1; 0 (the default) takes a free port. */
  port?: number;
  /** A client's upstream socket is closed after this long without a datagram either way. */
  idleMs?: number;
}

/** A datagram on its way: upstream through a client's flow, or down to a client through the listening socket. */
interface Queued {
  due: number;
  data: Buffer;
  flow: Flow | undefined;
  socket: Socket | undefined;
  port: number;
  address: string;
}

interface Flow {
  upstream: Socket;
  /** Datagrams due before the upstream socket finished connecting (only at delay 0, in practice). */
  pending: Buffer[] | undefined;
  lastSeen: number;
}

/** Datagrams in arrival order, sent once due by one timer. */
class DelayLine {
  #queue: Queued[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly delayMs: number) {}

  push(entry: Omit<Queued, 'due'>): void {
    if (this.delayMs === 0) return send({ due: 0, ...entry });
    this.#queue.push({ due: performance.now() + this.delayMs, ...entry });
    if (this.#timer === undefined) this.#arm();
  }

  get length(): number {
    return this.#queue.length - this.#head;
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue = [];
    this.#head = 0;
  }

  #arm(): void {
    const wait = this.#queue[this.#head]!.due - performance.now();
    this.#timer = setTimeout(this.#flush, Math.max(1, Math.ceil(wait)));
  }

  readonly #flush = (): void => {
    this.#timer = undefined;
    const now = performance.now();
    const queue = this.#queue;
    while (this.#head < queue.length && queue[this.#head]!.due <= now) send(queue[this.#head++]!);
    if (this.#head === queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else {
      // Drop what was sent once it is most of the array, so the queue does not grow for ever.
      if (this.#head > 1024 && this.#head * 2 > queue.length) {
        this.#queue = queue.slice(this.#head);
        this.#head = 0;
      }
      this.#arm();
    }
  };
}

function send({ data, flow, socket, port, address }: Queued): void {
  try {
    if (!flow) socket!.send(data, port, address);
    else if (flow.pending) flow.pending.push(data);
    else flow.upstream.send(data);
  } catch {
    // The socket closed meanwhile (an idle flow, or stop()): the datagram is lost, as UDP may lose it.
  }
}

export class UdpDelayProxy {
  readonly #flows = new Map<string, Flow>();
  readonly #line: DelayLine;
  readonly #sweep: ReturnType<typeof setInterval>;
  /** Datagrams received, from clients and from upstream. */
  datagrams = 0;

  private constructor(
    private readonly socket: Socket,
    readonly port: number,
    private readonly options: Required<DelayProxyOptions>,
  ) {
    this.#line = new DelayLine(options.delayMs);
    socket.on('message', (data, from) => this.#fromClient(data, from.address, from.port));
    this.#sweep = setInterval(() => this.#closeIdle(), Math.max(1000, options.idleMs / 2));
    this.#sweep.unref();
  }

  static async start(options: DelayProxyOptions): Promise<UdpDelayProxy> {
    const full: Required<DelayProxyOptions> = { upstreamHost: '127.0.0.1', port: 0, idleMs: 60_000, ...options };
    const socket = udpSocket();
    await bind(socket, full.port);
    return new UdpDelayProxy(socket, socket.address().port, full);
  }

  /** Client flows with an upstream socket open now. */
  get flows(): number {
    return this.#flows.size;
  }

  #fromClient(data: Buffer, address: string, port: number): void {
    this.datagrams++;
    const key = `${address}:${port}`;
    let flow = this.#flows.get(key);
    if (!flow) {
      // Connected to coturn, so each send skips the address lookup.
      const upstream = udpSocket();
      const created: Flow = { upstream, pending: [], lastSeen: 0 };
      upstream.connect(this.options.upstreamPort, this.options.upstreamHost, () => {
        const pending = created.pending ?? [];
        created.pending = undefined;
        for (const datagram of pending) upstream.send(datagram);
      });
      upstream.on('message', (reply) => {
        this.datagrams++;
        created.lastSeen = performance.now();
        this.#line.push({ data: reply, flow: undefined, socket: this.socket, port, address });
      });
      upstream.on('error', () => undefined);
      this.#flows.set(key, created);
      flow = created;
    }
    flow.lastSeen = performance.now();
    this.#line.push({ data, flow, socket: undefined, port, address });
  }

  #closeIdle(): void {
    const now = performance.now();
    for (const [key, flow] of this.#flows) {
      if (now - flow.lastSeen < this.options.idleMs) continue;
      flow.upstream.close();
      this.#flows.delete(key);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#sweep);
    this.#line.clear();
    for (const flow of this.#flows.values()) flow.upstream.close();
    this.#flows.clear();
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}

/**
 * Socket buffers of 4 MiB (the most net.core.rmem_max allows here). At the kernel's default of 208 KiB a socket
 * holds about 90 datagrams of 1200 bytes: 10 ms of a transfer's traffic, so the proxy descheduled that long on a
 * busy 2-core machine would drop datagrams, and SCTP would take the loss for congestion.
 */
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;
const udpSocket = (): Socket => createSocket({ type: 'udp4', recvBufferSize: SOCKET_BUFFER_BYTES, sendBufferSize: SOCKET_BUFFER_BYTES });

const bind = (socket: Socket, port: number): Promise<void> =>
  new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });

/** Nice value and autogroup nice given to the proxy and coturn in the bench. */
export const RAISED_NICE = -10;

/**
 * Runs `pid` ahead of the browsers. Linux schedules by autogroup (one per session) before nice values, and
 * Playwright starts each browser in a session of its own, so a nice value alone weighs only against processes
 * of the same session: `pid` should lead a session of its own (spawned `detached`), and that session's
 * autogroup gets `nice`. Every thread also gets it (setpriority on Linux applies to one thread). Root only;
 * where it is refused, the process runs at normal priority and this says so.
 */
export async function raisePriority(pid: number, nice = RAISED_NICE): Promise<string | undefined> {
  const problems: string[] = [];
  try {
    await writeFile(`/proc/${pid}/autogroup`, String(nice));
  } catch (error) {
    problems.push(`autogroup: ${(error as Error).message}`);
  }
  try {
    for (const tid of await readdir(`/proc/${pid}/task`)) setPriority(Number(tid), nice);
  } catch (error) {
    problems.push(`threads: ${(error as Error).message}`);
  }
  return problems.length ? problems.join('; ') : undefined;
}

/** CPU seconds (user + system) `pid` has used so far. */
export async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of /proc/pid/stat, in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface DelayProxyProcess {
  port: number;
  process: ChildProcess;
  /** `turn:` URL for browsers. */
  url: string;
  /** Why the priority could not be raised, if it could not. */
  priorityProblem: string | undefined;
  cpuSeconds(): Promise<number>;
  stop(): Promise<void>;
}

const SELF = fileURLToPath(import.meta.url);

/**
 * Starts the proxy as a Node process of its own, leading its own session (so its own process group and
 * autogroup), at a raised priority: on two cores its CPU would otherwise come out of the browsers' turns.
 */
export async function startDelayProxyProcess(options: DelayProxyOptions): Promise<DelayProxyProcess> {
  const args = ['--import', 'tsx', SELF, `--upstream=${options.upstreamHost ?? '127.0.0.1'}:${options.upstreamPort}`, `--delay-ms=${options.delayMs}`];
  if (options.port !== undefined) args.push(`--port=${options.port}`);
  if (options.idleMs !== undefined) args.push(`--idle-ms=${options.idleMs}`);
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let line = '';
    const onData = (d: Buffer): void => {
      line += d.toString();
      const match = /"port":(\d+)/.exec(line);
      if (match) {
        child.stdout.off('data', onData);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the delay proxy exited early (${code}): ${output}`)));
  });
  child.stdout.resume();
  const priorityProblem = await raisePriority(child.pid!);
  return {
    port,
    process: child,
    url: `turn:127.0.0.1:${port}?transport=udp`,
    priorityProblem,
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    stop: () => stopProcess(child),
  };
}

/** The CLI: `--upstream=HOST:PORT --delay-ms=N [--port=N] [--idle-ms=N]`. */
async function main(argv: string[]): Promise<void> {
  const flag = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const [host, port] = (flag('upstream') ?? '').split(':');
  const delayMs = Number(flag('delay-ms'));
  if (!host || !port || !Number.isFinite(delayMs) || delayMs < 0) {
    console.error('usage: udp-delay-proxy --upstream=HOST:PORT --delay-ms=N [--port=N] [--idle-ms=N]');
    process.exit(2);
  }
  const idle = flag('idle-ms');
  const proxy = await UdpDelayProxy.start({
    upstreamHost: host,
    upstreamPort: Number(port),
    delayMs,
    port: Number(flag('port') ?? 0),
    ...(idle ? { idleMs: Number(idle) } : {}),
  });
  console.log(JSON.stringify({ event: 'listening', port: proxy.port, delayMs }));
  const parent = process.ppid;
  const stop = (): void => void proxy.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // Detached from the parent's session, so no terminal signal reaches it: it goes when its parent goes.
  setInterval(() => process.ppid !== parent && stop(), 1000).unref();
  // Keep running: the socket holds the event loop open.
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
