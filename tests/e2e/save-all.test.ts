import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { expect, test } from 'vitest';
import { makeFile, sha256Hex, type SourceFile } from '../support/files.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';
import { receiveLink, shareFolder, waitForRows } from '../support/transfer-flow.ts';

const peers = useTransferPeers(1);
const signal = useSignalServer();

test('Save all gives one zip of 30 files, a folder among them, every entry matching its source by SHA-256 under its path', async () => {
  const { sender, receiver, dir } = peers;
  const shared = join(dir, 'project');
  await mkdir(join(shared, 'docs', 'notes'), { recursive: true });
  const files: SourceFile[] = [];
  for (let i = 1; i <= 20; i++) files.push(await makeFile(shared, `part-${String(i).padStart(2, '0')}.bin`, 3000 + i * 911));
  for (let i = 1; i <= 6; i++) files.push(await makeFile(join(shared, 'docs'), `doc-${i}.txt`, `第${i}章 🎉\n`.repeat(50 * i)));
  for (let i = 1; i <= 4; i++) files.push(await makeFile(join(shared, 'docs', 'notes'), `note-${i}.md`, 1 + i * 4096));

  const link = await shareFolder(sender, signal.server.url, shared);
  await receiveLink(receiver, link);
  await waitForRows(receiver, files.length, 'complete');
  await receiver.waitFor(() => !document.querySelector<HTMLButtonElement>('[data-testid="save-all"]')?.disabled, undefined, 30_000);

  const saved = await receiver.download('[data-testid="save-all"]');
  expect(saved.name).toBe('project.zip');
  const entries = unzipSync(new Uint8Array(await readFile(saved.path)));
  expect(Object.keys(entries).sort()).toEqual(files.map((f) => f.path.slice(dir.length + 1)).sort());
  for (const file of files) expect(sha256Hex(entries[file.path.slice(dir.length + 1)]!), file.path).toBe(file.sha256);
});
