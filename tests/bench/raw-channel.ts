import type { Page } from 'playwright-core';

/** What the pages keep between evaluate() calls. */
interface RawWindow {
  rawPc: RTCPeerConnection;
  rawChannel: Promise<RTCDataChannel>;
  /** When the receiver got its first and its last message. */
  rawDone: Promise<{ first: number; last: number }>;
}

/**
 * The ceiling: `bytes` of 256 KiB ArrayBuffers over one ordered DataChannel
 * between the two pages, refilled on bufferedamountlow with the app's water
 * marks (4 MiB / 2 MiB). Returns MB/s, timed on the receiver from its first message to its last, as app runs
 * are timed from the first chunk to the last file verified.
 */
export async function measureRawChannel(sender: Page, receiver: Page, url: string, bytes: number): Promise<number> {
  await Promise.all([sender.goto(url), receiver.goto(url)]);
  // Signaling goes through this process: whole descriptions after gathering, no trickle.
  // No named functions inside evaluate(): tsx's name helper does not exist in the page.
  const offer = await sender.evaluate(async () => {
    const w = window as unknown as RawWindow;
    w.rawPc = new RTCPeerConnection();
    const channel = w.rawPc.createDataChannel('raw', { ordered: true });
    channel.binaryType = 'arraybuffer';
    w.rawChannel = new Promise((resolve) => channel.addEventListener('open', () => resolve(channel)));
    await w.rawPc.setLocalDescription();
    await new Promise<void>((resolve) => {
      if (w.rawPc.iceGatheringState === 'complete') resolve();
      w.rawPc.addEventListener('icegatheringstatechange', () => w.rawPc.iceGatheringState === 'complete' && resolve());
    });
    return w.rawPc.localDescription!.toJSON() as RTCSessionDescriptionInit;
  });
  const answer = await receiver.evaluate(
    async ({ offer, bytes }) => {
      const w = window as unknown as RawWindow;
      w.rawPc = new RTCPeerConnection();
      w.rawDone = new Promise((resolve) =>
        w.rawPc.addEventListener('datachannel', ({ channel }) => {
          channel.binaryType = 'arraybuffer';
          let received = 0;
          let first = 0;
          channel.addEventListener('message', (event: MessageEvent<ArrayBuffer>) => {
            if (received === 0) first = Date.now();
            received += event.data.byteLength;
            if (received >= bytes) resolve({ first, last: Date.now() });
          });
        }),
      );
      await w.rawPc.setRemoteDescription(offer);
      await w.rawPc.setLocalDescription();
      await new Promise<void>((resolve) => {
        if (w.rawPc.iceGatheringState === 'complete') resolve();
        w.rawPc.addEventListener('icegatheringstatechange', () => w.rawPc.iceGatheringState === 'complete' && resolve());
      });
      return w.rawPc.localDescription!.toJSON() as RTCSessionDescriptionInit;
    },
    { offer, bytes },
  );
  await sender.evaluate(
    async ({ answer, bytes }) => {
      const w = window as unknown as RawWindow;
      await w.rawPc.setRemoteDescription(answer);
      const channel = await w.rawChannel;
      const message = new ArrayBuffer(256 * 1024);
      channel.bufferedAmountLowThreshold = 2 * 1024 * 1024;
      for (let sent = 0; sent < bytes; sent += message.byteLength) {
        if (channel.bufferedAmount > 4 * 1024 * 1024) {
          await new Promise<void>((resolve) => channel.addEventListener('bufferedamountlow', () => resolve(), { once: true }));
        }
        channel.send(message);
      }
    },
    { answer, bytes },
  );
  const { first, last } = await receiver.evaluate(() => (window as unknown as RawWindow).rawDone);
  await Promise.all([sender, receiver].map((page) => page.evaluate(() => (window as unknown as RawWindow).rawPc.close())));
  return bytes / 1e6 / ((last - first) / 1000);
}

/**
 * Small round trips each channel of a striped run carries before the timed bytes, as the app's handshake does
 * before its first chunk. Without them, a cold association through the delay proxy at 50 ms fell, in 3 of 8 runs
 * on 2026-12-06, into a slow mode of 0.8–1.0 MB/s (against 2.1–2.6) with next to no datagrams lost (0–14, against
 * 26–1138 in the fast runs) and both cores mostly idle: SCTP's congestion window stayed small and grew by a little
 * per round trip for the whole run. With them, 6 runs of 6 were fast (1.8–2.4 MB/s). The app never showed the slow
 * mode, so without the pings a figure's median compared the app with a coin toss. docs/protocols.md, "Striping".
 */
const WARM_UP_PINGS = 20;
const WARM_UP_PING_BYTES = 100;

/** What the pages keep between evaluate() calls in a striped run. */
interface StripedWindow {
  stripedPcs: RTCPeerConnection[];
  stripedChannels: Promise<RTCDataChannel[]>;
  stripedDone: Promise<{ first: number; last: number }>;
}

export interface StripedOptions {
  /** Peer connections between the two pages. */
  connections: number;
  /** Ordered DataChannels on each connection. */
  channelsPerConnection: number;
  /** For every connection on both pages: the ICE servers (TURN through the delay proxy) and the relay policy. */
  rtc: RTCConfiguration;
}

/**
 * The ceiling striped: `bytes` of 256 KiB ArrayBuffers spread evenly over `connections` × `channelsPerConnection`
 * ordered DataChannels, each refilled on its own bufferedamountlow with the app's water marks (4 MiB / 2 MiB),
 * as measureRawChannel refills its one. The receiver counts bytes over every channel; MB/s is timed on it from
 * its first message to its last. Nothing is put back in order: this is what the wire gives, not what an app gets.
 */
export async function measureRawStriped(sender: Page, receiver: Page, url: string, bytes: number, options: StripedOptions): Promise<number> {
  await Promise.all([sender.goto(url), receiver.goto(url)]);
  // Whole descriptions after gathering, no trickle, as in measureRawChannel; no named functions inside evaluate().
  const offers = await sender.evaluate(async ({ connections, channelsPerConnection, rtc }) => {
    const w = window as unknown as StripedWindow;
    w.stripedPcs = [];
    const opened: Array<Promise<RTCDataChannel>> = [];
    for (let c = 0; c < connections; c++) {
      const pc = new RTCPeerConnection(rtc);
      w.stripedPcs.push(pc);
      for (let i = 0; i < channelsPerConnection; i++) {
        const channel = pc.createDataChannel(`raw-${i}`, { ordered: true });
        channel.binaryType = 'arraybuffer';
        opened.push(new Promise((resolve) => channel.addEventListener('open', () => resolve(channel))));
      }
    }
    w.stripedChannels = Promise.all(opened);
    return Promise.all(
      w.stripedPcs.map(async (pc) => {
        await pc.setLocalDescription();
        await new Promise<void>((resolve) => {
          if (pc.iceGatheringState === 'complete') resolve();
          pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
        });
        return pc.localDescription!.toJSON() as RTCSessionDescriptionInit;
      }),
    );
  }, options);
  const answers = await receiver.evaluate(
    async ({ offers, bytes, rtc, pingBytes }) => {
      const w = window as unknown as StripedWindow;
      let received = 0;
      let first = 0;
      const settle: { done?: (times: { first: number; last: number }) => void } = {};
      w.stripedDone = new Promise((resolve) => (settle.done = resolve));
      w.stripedPcs = offers.map(() => new RTCPeerConnection(rtc));
      return Promise.all(
        w.stripedPcs.map(async (pc, i) => {
          pc.addEventListener('datachannel', ({ channel }) => {
            channel.binaryType = 'arraybuffer';
            channel.addEventListener('message', (event: MessageEvent<ArrayBuffer>) => {
              // A warm-up ping (see below): echoed, not counted.
              if (event.data.byteLength === pingBytes) return channel.send(event.data);
              if (received === 0) first = Date.now();
              received += event.data.byteLength;
              if (received >= bytes) settle.done!({ first, last: Date.now() });
            });
          });
          await pc.setRemoteDescription(offers[i]!);
          await pc.setLocalDescription();
          await new Promise<void>((resolve) => {
            if (pc.iceGatheringState === 'complete') resolve();
            pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
          });
          return pc.localDescription!.toJSON() as RTCSessionDescriptionInit;
        }),
      );
    },
    { offers, bytes, rtc: options.rtc, pingBytes: WARM_UP_PING_BYTES },
  );
  await sender.evaluate(
    async ({ answers, bytes, pings, pingBytes }) => {
      const w = window as unknown as StripedWindow;
      await Promise.all(w.stripedPcs.map((pc, i) => pc.setRemoteDescription(answers[i]!)));
      const channels = await w.stripedChannels;
      const message = new ArrayBuffer(256 * 1024);
      const messages = Math.ceil(bytes / message.byteLength);
      for (const channel of channels) {
        for (let ping = 0; ping < pings; ping++) {
          const echoed = new Promise<void>((resolve) => channel.addEventListener('message', () => resolve(), { once: true }));
          channel.send(new ArrayBuffer(pingBytes));
          await echoed;
        }
      }
      await Promise.all(
        channels.map(async (channel, i) => {
          channel.bufferedAmountLowThreshold = 2 * 1024 * 1024;
          // Channel i sends messages i, i + n, i + 2n…: an even share each.
          for (let m = i; m < messages; m += channels.length) {
            if (channel.bufferedAmount > 4 * 1024 * 1024) {
              await new Promise<void>((resolve) => channel.addEventListener('bufferedamountlow', () => resolve(), { once: true }));
            }
            channel.send(message);
          }
        }),
      );
    },
    { answers, bytes, pings: WARM_UP_PINGS, pingBytes: WARM_UP_PING_BYTES },
  );
  const { first, last } = await receiver.evaluate(() => (window as unknown as StripedWindow).stripedDone);
  return bytes / 1e6 / ((last - first) / 1000);
}

/** Closes the striped run's connections on both pages (after the bench has read what it wanted from them). */
export async function closeStriped(sender: Page, receiver: Page): Promise<void> {
  await Promise.all([sender, receiver].map((page) => page.evaluate(() => (window as unknown as StripedWindow).stripedPcs.forEach((pc) => pc.close()))));
}
