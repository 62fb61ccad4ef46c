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
