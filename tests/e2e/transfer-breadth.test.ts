import { expect, test } from 'vitest';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chunkStorage, withoutOpfs } from '../support/chunk-storage.ts';
import { makeFile, type SourceFile } from '../support/files.ts';
import { waitForReceivers } from '../support/sender-view.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';
import { saveAndVerify, shareFolder, waitForRows, receiveLink } from '../support/transfer-flow.ts';

const peers = useTransferPeers(2);
const signal = useSignalServer();

test('empty, one-byte and 50 MiB files plus a folder of 20 reach two receivers at once, verified, with their paths', async () => {
  // The second receiver has no origin private file system: its chunk bytes go into IndexedDB instead.
  const { sender, receivers, dir } = peers;
  const shared = join(dir, 'holiday');
  await mkdir(join(shared, 'photos'), { recursive: true });
  const files: SourceFile[] = [
    await makeFile(shared, 'empty.bin', 0),
    await makeFile(shared, 'one-byte.bin', 1),
    await makeFile(shared, 'big-50MiB.bin', 50 * 1024 * 1024),
  ];
  for (let i = 1; i <= 20; i++) files.push(await makeFile(join(shared, 'photos'), `img-${String(i).padStart(2, '0')}.txt`, 1000 + i * 37));

  await withoutOpfs(receivers[1]!);
  const link = await shareFolder(sender, signal.server.url, shared);
  await Promise.all(receivers.map((r) => receiveLink(r, link)));

  for (const receiver of receivers) {
    await waitForRows(receiver, files.length, 'complete');
    // Folder-relative paths survive the trip: the top folder's name, then the nested one.
    const rows = await receiver.evaluate(() => [...document.querySelectorAll('[data-testid="file-row"]')].map((row) => row.textContent ?? ''), undefined);
    for (const file of files) {
      const relative = file.path.slice(dir.length + 1);
      expect(relative.startsWith('holiday/')).toBe(true);
      expect(rows.some((row) => row.includes(relative)), `a row shows ${relative}`).toBe(true);
    }
  }
  for (const receiver of receivers) await saveAndVerify(receiver, files);
  // 22 non-empty files: the first receiver keeps one OPFS file each, the second one Blob per batch and nothing in OPFS.
  const [withOpfs, withBlobs] = await Promise.all(receivers.map((r) => chunkStorage(r)));
  expect(withOpfs).toMatchObject({ opfsFiles: 22, indexedDbBlobs: 0 });
  expect(withBlobs).toMatchObject({ opfsFiles: 0, indexedDbBlobs: withBlobs!.indexedDbBatches });
  expect(withBlobs!.indexedDbBatches).toBeGreaterThanOrEqual(22);
  await waitForReceivers(sender, ['done', 'done']);
});
