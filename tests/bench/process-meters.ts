import { readFile } from 'node:fs/promises';
import type { CDPSession } from 'playwright-core';
import type { ChromiumPeer } from '../support/chromium.ts';

export interface MemoryPeak {
  /** Largest growth of one renderer's RssAnon over its value at start(). */
  rssGrowthBytes: number;
  /** Largest JS heap in use seen in the page. */
  heapBytes: number;
}

const SAMPLE_MS = 200;

/**
 * Samples the renderers' resident anonymous memory (ArrayBuffers and Blob data
 * live there, outside the JS heap) and the page's JS heap while a transfer runs.
 * Renderers are found through CDP SystemInfo.getProcessInfo; the one that grows
 * most is the one receiving.
 */
export class RendererMemory {
  readonly #baseline: Map<number, number>;
  readonly #browserSession: CDPSession;
  readonly #pageSession: CDPSession;
  readonly #peakRss = new Map<number, number>();
  #peakHeap = 0;
  #timer: ReturnType<typeof setInterval>;
  #sampling: Promise<void> = Promise.resolve();

  private constructor(browserSession: CDPSession, pageSession: CDPSession, baseline: Map<number, number>) {
    this.#browserSession = browserSession;
    this.#pageSession = pageSession;
    this.#baseline = baseline;
    this.#timer = setInterval(() => {
      this.#sampling = this.#sampling.then(() => this.#sample());
    }, SAMPLE_MS);
  }

  static async start(browser: ChromiumPeer): Promise<RendererMemory> {
    const owner = browser.context.browser();
    if (!owner) throw new Error('no browser behind this context');
    const browserSession = await owner.newBrowserCDPSession();
    const pageSession = await browser.context.newCDPSession(browser.page);
    return new RendererMemory(browserSession, pageSession, await rendererRss(browserSession));
  }

  async stop(): Promise<MemoryPeak> {
    clearInterval(this.#timer);
    await this.#sampling;
    await this.#sample();
    let growth = 0;
    for (const [pid, peak] of this.#peakRss) growth = Math.max(growth, peak - (this.#baseline.get(pid) ?? peak));
    return { rssGrowthBytes: growth, heapBytes: this.#peakHeap };
  }

  async #sample(): Promise<void> {
    for (const [pid, rss] of await rendererRss(this.#browserSession)) this.#peakRss.set(pid, Math.max(rss, this.#peakRss.get(pid) ?? 0));
    try {
      const { usedSize } = await this.#pageSession.send('Runtime.getHeapUsage');
      this.#peakHeap = Math.max(this.#peakHeap, usedSize);
    } catch {
      // The page is between documents; the next sample catches up.
    }
  }
}

async function rendererRss(session: CDPSession): Promise<Map<number, number>> {
  const { processInfo } = (await session.send('SystemInfo.getProcessInfo')) as { processInfo: Array<{ type: string; id: number }> };
  const rss = new Map<number, number>();
  for (const { type, id } of processInfo) {
    if (type !== 'renderer') continue;
    try {
      const status = await readFile(`/proc/${id}/status`, 'utf8');
      const kb = /^RssAnon:\s+(\d+) kB/m.exec(status)?.[1];
      if (kb) rss.set(id, Number(kb) * 1024);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return rss;
}

/** CPU seconds used so far by each kind of process of one browser (renderer, browser, GPU, network…). */
async function cpuByProcessType(browser: ChromiumPeer): Promise<Map<string, number>> {
  const session = await browser.context.browser()!.newBrowserCDPSession();
  const { processInfo } = (await session.send('SystemInfo.getProcessInfo')) as { processInfo: Array<{ type: string; cpuTime: number }> };
  await session.detach();
  const cpu = new Map<string, number>();
  for (const { type, cpuTime } of processInfo) cpu.set(type, (cpu.get(type) ?? 0) + cpuTime);
  return cpu;
}

/** CPU seconds each kind of process of the two browsers used between start() and stop(): where a run's time went. */
export class CpuMeter {
  private constructor(
    private readonly browsers: readonly [ChromiumPeer, ChromiumPeer],
    private readonly before: ReadonlyArray<Map<string, number>>,
  ) {}

  static async start(sender: ChromiumPeer, receiver: ChromiumPeer): Promise<CpuMeter> {
    return new CpuMeter([sender, receiver], await Promise.all([cpuByProcessType(sender), cpuByProcessType(receiver)]));
  }

  async stop(): Promise<{ sender: Record<string, number>; receiver: Record<string, number> }> {
    const [sender, receiver] = await Promise.all(
      this.browsers.map(async (browser, i) => {
        const after = await cpuByProcessType(browser);
        return Object.fromEntries([...after].map(([type, seconds]) => [type, Math.round((seconds - (this.before[i]!.get(type) ?? 0)) * 100) / 100]));
      }),
    );
    return { sender: sender!, receiver: receiver! };
  }
}
