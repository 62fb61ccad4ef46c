import { launchBrowser } from './support/browser.ts';
import { makeFile, scratchDir } from './support/files.ts';
import { startSignalServer } from './support/signal-server.ts';
import { shareFiles, waitForRows } from './support/transfer-flow.ts';
import type { CDPSession } from 'playwright-core';
const dir = await scratchDir();
const f = await makeFile(dir, 'a.bin', 128 * 1024 * 1024);
const server = await startSignalServer();
const [s, r] = await Promise.all([launchBrowser(), launchBrowser()]);
await r.page.goto(server.url);
const sp = await s.context.newCDPSession(s.page);
const rp = await r.context.newCDPSession(r.page);
const link = await shareFiles(s.page, server.url, [f]);
for (const p of [sp, rp]) { await p.send('Profiler.enable'); await p.send('Profiler.setSamplingInterval', { interval: 500 }); await p.send('Profiler.start'); }
await r.page.goto(link);
await waitForRows(r.page, 1, 'complete');
function top(profile: any, label: string) {
  const self = new Map<string, number>();
  const counts = new Map<number, number>();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  let total = 0;
  for (const node of profile.nodes) {
    const n = counts.get(node.id) ?? 0; total += n;
    const key = `${node.callFrame.functionName || '(anon)'} ${node.callFrame.url.split('/').pop()}:${node.callFrame.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + n);
  }
  console.log(`== ${label} total samples ${total}`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log(`${(100 * v / total).toFixed(1)}%  ${k}`);
}
top((await sp.send('Profiler.stop')).profile, 'sender');
top((await rp.send('Profiler.stop')).profile, 'receiver');
await Promise.all([s.close(), r.close()]); await server.stop();
