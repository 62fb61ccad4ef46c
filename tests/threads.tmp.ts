import { readFile, readdir } from 'node:fs/promises';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { makeFile, scratchDir } from './support/files.ts';
import { startSignalServer } from './support/signal-server.ts';
import { shareFiles, waitForRows } from './support/transfer-flow.ts';
import { measureRawChannel } from './bench/raw-channel.ts';
async function threads(b: TestBrowser) {
  const session = await b.context.browser()!.newBrowserCDPSession();
  const { processInfo } = (await session.send('SystemInfo.getProcessInfo')) as any;
  const out = new Map<string, number>();
  for (const p of processInfo) {
    for (const tid of await readdir(`/proc/${p.id}/task`).catch(() => [])) {
      const stat = await readFile(`/proc/${p.id}/task/${tid}/stat`, 'utf8').catch(() => '');
      if (!stat) continue;
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '#');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const key = `${p.type.slice(0, 8)}/${comm}`;
      out.set(key, (out.get(key) ?? 0) + (Number(f[11]) + Number(f[12])) / 100);
    }
  }
  return out;
}
function diff(a: Map<string, number>, b: Map<string, number>) {
  return [...b].map(([k, v]) => [k, +(v - (a.get(k) ?? 0)).toFixed(2)] as const).filter(([, v]) => v > 0.15).sort((x, y) => y[1] - x[1]);
}
const dir = await scratchDir();
const f = await makeFile(dir, 'a.bin', 256 * 1024 * 1024);
const server = await startSignalServer();
const [s, r] = await Promise.all([launchBrowser(), launchBrowser()]);
let b = await Promise.all([threads(s), threads(r)]);
const mbs = await measureRawChannel(s.page, r.page, server.url, 256 * 1024 * 1024);
let a = await Promise.all([threads(s), threads(r)]);
console.log('RAW', mbs.toFixed(1), '\nsender', diff(b[0], a[0]), '\nreceiver', diff(b[1], a[1]));
await r.page.goto(server.url);
const link = await shareFiles(s.page, server.url, [f]);
b = await Promise.all([threads(s), threads(r)]);
const t = Date.now();
await r.page.goto(link);
await waitForRows(r.page, 1, 'complete');
a = await Promise.all([threads(s), threads(r)]);
console.log('APP', (256 * 1.048576 / ((Date.now() - t) / 1000)).toFixed(1), '\nsender', diff(b[0], a[0]), '\nreceiver', diff(b[1], a[1]));
await Promise.all([s.close(), r.close()]); await server.stop();
