import { readFile, readdir } from 'node:fs/promises';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { makeFile, scratchDir } from './support/files.ts';
import { startSignalServer } from './support/signal-server.ts';
import { shareFiles } from './support/transfer-flow.ts';
async function threads(b: TestBrowser) {
  const session = await b.context.browser()!.newBrowserCDPSession();
  const { processInfo } = (await session.send('SystemInfo.getProcessInfo')) as any;
  const out = new Map<string, number>();
  for (const p of processInfo) for (const tid of await readdir(`/proc/${p.id}/task`).catch(() => [])) {
    const stat = await readFile(`/proc/${p.id}/task/${tid}/stat`, 'utf8').catch(() => ''); if (!stat) continue;
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '#');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const key = `${p.type.slice(0, 8)}/${comm}`; out.set(key, (out.get(key) ?? 0) + (Number(f[11]) + Number(f[12])) / 100);
  }
  return out;
}
const diff = (a: Map<string, number>, b: Map<string, number>) => [...b].map(([k, v]) => [k, +(v - (a.get(k) ?? 0)).toFixed(2)] as const).filter(([, v]) => v > 0.05);
const dir = await scratchDir();
const f = await makeFile(dir, 'a.bin', 1000);
const server = await startSignalServer();
const s = await launchBrowser();
await shareFiles(s.page, server.url, [f]);
const b = await threads(s); await new Promise((r) => setTimeout(r, 10000)); console.log('share page idle 10s', diff(b, await threads(s)));
console.log(await s.page.evaluate(() => document.getAnimations().map((a) => (a as any).animationName ?? a.constructor.name + ' ' + (a.effect as any)?.target?.tagName)));
await s.close(); await server.stop();
