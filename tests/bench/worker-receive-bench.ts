/**
 * Does receiving in a DedicatedWorker raise the loopback ratio? (docs/architecture.md, "Receiving off the main
 * thread".) Chromium (130 and later) can transfer an RTCDataChannel to a worker right after it is made, so the
 * receive path (take the message, hash it, store it, acknowledge it) could run there instead of on the page. This
 * section measures that before the app is rebuilt around it, with the app's receive work reduced to its costs:
 *
 * - `raw`: the page counts the messages, nothing else (the ceiling, as in raw-channel.ts);
 * - `page`: the app's shape today: the page hashes each message (WebCrypto, one after another, as the engine's
 *   queue does), hands its buffer to a writer worker that writes it with a sync access handle (OPFS), and
 *   acknowledges every 4 MiB written;
 * - `worker`: the same work, all in a worker the channel was transferred to: hashing, sync-handle writes, acks.
 *
 * Senders in `page` and `worker` runs keep at most the app's 32 MiB window unacknowledged, and every run uses
 * the app's 256 KiB messages and water marks, on the same pinned browsers as the loopback table, alternating kinds.
 * The pages are served from a bare server here (no CSP), since the workers are built from strings.
 *
 * Alone: `npx tsx -e "import('./tests/bench/worker-receive-bench.ts').then((m) => m.benchWorkerReceive())"`
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';

const MiB = 1024 * 1024;
const BYTES = Number(process.env.WORKER_BENCH_MIB ?? 256) * MiB;
const REPEATS = Number(process.env.WORKER_BENCH_REPEATS ?? 3);
const KINDS = ['raw', 'page', 'worker'] as const;
type Kind = (typeof KINDS)[number];

/** Hashes each message in order, writes it at its offset with a sync access handle, acks every 4 MiB written. */
const RECEIVE_WORK = `
  const ACK_EVERY = 4 * 1024 * 1024;
  let handle, queue = Promise.resolve(), at = 0, written = 0, unacked = 0, first = 0;
  async function openFile() {
    const root = await navigator.storage.getDirectory();
    const file = await root.getFileHandle('bench-' + Math.random().toString(36).slice(2), { create: true });
    handle = await file.createSyncAccessHandle();
  }
  function write(buffer, offset) {
    handle.write(new Uint8Array(buffer), { at: offset });
  }
`;

/** The writer worker of a `page` run: writes what the page hands it and says how much. */
const WRITER_WORKER = `${RECEIVE_WORK}
  const opening = openFile();
  onmessage = async ({ data }) => {
    await opening;
    write(data.buffer, data.at);
    postMessage(data.buffer.byteLength);
  };
`;

/**
 * The receiving worker of a `worker` run: the channel comes first, then everything happens here. Its message
 * handler is set at once: a transferred channel's messages that find no handler are lost.
 */
const RECEIVER_WORKER = `${RECEIVE_WORK}
  const opening = openFile();
  onmessage = ({ data }) => {
    const total = data.bytes;
    const channel = data.channel;
    channel.binaryType = 'arraybuffer';
    channel.onmessage = ({ data: buffer }) => {
      if (first === 0) first = Date.now();
      const offset = at;
      at += buffer.byteLength;
      queue = queue.then(async () => {
        await opening;
        await crypto.subtle.digest('SHA-256', buffer);
        write(buffer, offset);
        written += buffer.byteLength;
        unacked += buffer.byteLength;
        if (unacked >= ACK_EVERY || written >= total) { channel.send(String(unacked)); unacked = 0; }
        if (written >= total) { handle.flush(); handle.close(); postMessage({ first, last: Date.now() }); }
      });
    };
  };
`;

interface BenchWindow {
  benchPc: RTCPeerConnection;
  benchChannel: Promise<RTCDataChannel>;
  benchDone: Promise<{ first: number; last: number }>;
}

/** One run of `kind`: offers and answers pass through this process whole, after gathering, as in raw-channel.ts. */
async function measure(sender: Page, receiver: Page, url: string, kind: Kind): Promise<number> {
  await Promise.all([sender.goto(url), receiver.goto(url)]);
  // No named functions inside evaluate(): tsx's name helper does not exist in the page.
  const offer = await sender.evaluate(async () => {
    const w = window as unknown as BenchWindow;
    w.benchPc = new RTCPeerConnection();
    const channel = w.benchPc.createDataChannel('bench', { ordered: true });
    channel.binaryType = 'arraybuffer';
    w.benchChannel = new Promise((resolve) => channel.addEventListener('open', () => resolve(channel)));
    await w.benchPc.setLocalDescription();
    await new Promise<void>((resolve) => {
      if (w.benchPc.iceGatheringState === 'complete') resolve();
      w.benchPc.addEventListener('icegatheringstatechange', () => w.benchPc.iceGatheringState === 'complete' && resolve());
    });
    return w.benchPc.localDescription!.toJSON() as RTCSessionDescriptionInit;
  });
  const answer = await receiver.evaluate(
    async ({ offer, bytes, kind, writerSource, receiverSource }) => {
      const w = window as unknown as BenchWindow;
      const workerUrls = [writerSource, receiverSource].map((source) => URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
      w.benchPc = new RTCPeerConnection();
      w.benchDone = new Promise((resolve, reject) =>
        w.benchPc.addEventListener('datachannel', ({ channel }) => {
          if (kind === 'worker') {
            const worker = new Worker(workerUrls[1]!);
            worker.onmessage = ({ data }) => resolve(data as { first: number; last: number });
            try {
              worker.postMessage({ channel, bytes }, [channel as unknown as Transferable]);
            } catch (error) {
              reject(new Error(`this browser cannot transfer an RTCDataChannel: ${String(error)}`));
            }
            return;
          }
          channel.binaryType = 'arraybuffer';
          let first = 0;
          let received = 0;
          if (kind === 'raw') {
            channel.onmessage = ({ data }: MessageEvent<ArrayBuffer>) => {
              if (first === 0) first = Date.now();
              received += data.byteLength;
              if (received >= bytes) resolve({ first, last: Date.now() });
            };
            return;
          }
          const writer = new Worker(workerUrls[0]!);
          let written = 0;
          let unacked = 0;
          writer.onmessage = ({ data }: MessageEvent<number>) => {
            written += data;
            unacked += data;
            if (unacked >= 4 * 1024 * 1024 || written >= bytes) {
              channel.send(String(unacked));
              unacked = 0;
            }
            if (written >= bytes) resolve({ first, last: Date.now() });
          };
          let queue = Promise.resolve();
          channel.onmessage = ({ data }: MessageEvent<ArrayBuffer>) => {
            if (first === 0) first = Date.now();
            const at = received;
            received += data.byteLength;
            queue = queue.then(async () => {
              await crypto.subtle.digest('SHA-256', data);
              writer.postMessage({ buffer: data, at }, [data]);
            });
          };
        }),
      );
      await w.benchPc.setRemoteDescription(offer);
      await w.benchPc.setLocalDescription();
      await new Promise<void>((resolve) => {
        if (w.benchPc.iceGatheringState === 'complete') resolve();
        w.benchPc.addEventListener('icegatheringstatechange', () => w.benchPc.iceGatheringState === 'complete' && resolve());
      });
      return w.benchPc.localDescription!.toJSON() as RTCSessionDescriptionInit;
    },
    { offer, bytes: BYTES, kind, writerSource: WRITER_WORKER, receiverSource: RECEIVER_WORKER },
  );
  await sender.evaluate(
    async ({ answer, bytes, windowed }) => {
      const w = window as unknown as BenchWindow;
      await w.benchPc.setRemoteDescription(answer);
      const channel = await w.benchChannel;
      let inFlight = 0;
      let credit: (() => void) | undefined;
      channel.onmessage = ({ data }: MessageEvent<string>) => {
        inFlight -= Number(data);
        credit?.();
      };
      const message = new ArrayBuffer(256 * 1024);
      channel.bufferedAmountLowThreshold = 2 * 1024 * 1024;
      for (let sent = 0; sent < bytes; sent += message.byteLength) {
        while (windowed && inFlight + message.byteLength > 32 * 1024 * 1024) await new Promise<void>((resolve) => (credit = resolve));
        if (channel.bufferedAmount > 4 * 1024 * 1024) {
          await new Promise<void>((resolve) => channel.addEventListener('bufferedamountlow', () => resolve(), { once: true }));
        }
        channel.send(message);
        inFlight += message.byteLength;
      }
    },
    { answer, bytes: BYTES, windowed: kind !== 'raw' },
  );
  const { first, last } = await receiver.evaluate(() => (window as unknown as BenchWindow).benchDone);
  await Promise.all([sender, receiver].map((page) => page.evaluate(() => (window as unknown as BenchWindow).benchPc.close())));
  return BYTES / 1e6 / ((last - first) / 1000);
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[(values.length - 1) >> 1]!;

export interface WorkerReceiveResult {
  runs: Record<Kind, number[]>;
  /** Median over the repeats of page ÷ raw and worker ÷ raw, each against the raw run of its own round. */
  pageRatio: number;
  workerRatio: number;
  line: string;
}

export async function benchWorkerReceive(): Promise<WorkerReceiveResult> {
  const server: Server = createServer((_request, response) => response.end('<!doctype html><title>bench</title>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const sender = await launchChromium({ cpus: '0' });
  const receiver = await launchChromium({ cpus: '1' });
  const runs: Record<Kind, number[]> = { raw: [], page: [], worker: [] };
  try {
    for (let round = 0; round <= REPEATS; round++) {
      for (const kind of KINDS) {
        const mbPerSecond = await measure(sender.page, receiver.page, url, kind);
        // Round 0 warms the machine up and is not counted.
        if (round > 0) runs[kind].push(mbPerSecond);
        console.log(`${round === 0 ? 'warm-up' : `round ${round}`}, ${kind}: ${mbPerSecond.toFixed(1)} MB/s`);
      }
    }
  } finally {
    await Promise.all([sender.close(), receiver.close()]);
    server.close();
  }
  const ratio = (kind: Kind): number => median(runs[kind].map((v, i) => v / runs.raw[i]!));
  const pageRatio = ratio('page');
  const workerRatio = ratio('worker');
  const figures = (kind: Kind): string => runs[kind].map((v) => v.toFixed(1)).join(', ');
  const line =
    `Receiving in a worker, ${BYTES / MiB} MiB runs, ${REPEATS} rounds: raw ${figures('raw')} MB/s; ` +
    `hash + OPFS write + ack with the channel on the page ${figures('page')} (÷ raw ${pageRatio.toFixed(2)}); ` +
    `the same with the channel transferred to a worker ${figures('worker')} (÷ raw ${workerRatio.toFixed(2)}; worker ÷ page ${(workerRatio / pageRatio).toFixed(2)}).`;
  console.log(line);
  return { runs, pageRatio, workerRatio, line };
}
