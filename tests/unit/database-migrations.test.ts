import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { expect, test } from 'vitest';
import { DATABASE_VERSION, openDatabase } from '../../web/src/storage/database.ts';

const manifest = {
  type: 'manifest' as const,
  version: 2 as const,
  transferId: 'T'.repeat(22),
  chunkSize: 4096,
  files: [{ name: 'a.bin', path: 'a.bin', size: 5000, type: '', lastModified: 1 }],
};

test('a version 1 database, as the first release stored it, upgrades in place and keeps every record', async () => {
  const name = `migration-${Math.random()}`;
  // Exactly what version 1 created, written the way version 1 wrote it.
  const v1 = await openDB(name, 1, {
    upgrade(db) {
      db.createObjectStore('transfers', { keyPath: 'id' });
      db.createObjectStore('batches', { keyPath: ['transferId', 'file', 'seq'] });
    },
  });
  await v1.put('transfers', { id: 'stored-key', manifest, createdAt: 10, updatedAt: 20 });
  await v1.put('batches', { transferId: 'stored-key', file: 0, seq: 0, chunks: [0, 1], hashes: new ArrayBuffer(64) });
  v1.close();

  const db = await openDatabase(name);
  expect(db.version).toBe(DATABASE_VERSION);
  expect(await db.get('transfers', 'stored-key')).toEqual({ id: 'stored-key', manifest, createdAt: 10, updatedAt: 20 });
  expect((await db.getAll('batches')).map((b) => b.chunks)).toEqual([[0, 1]]);
  // Version 2's additions: the index finds old transfers, and the sender's shares have a store.
  expect(await db.getAllKeysFromIndex('transfers', 'updatedAt', IDBKeyRange.upperBound(20))).toEqual(['stored-key']);
  await db.put('shares', { room: 'r'.repeat(22), secret: 's'.repeat(22), transferId: 'T'.repeat(22), password: '', files: [], hashes: [], withdrawn: [], createdAt: 1, updatedAt: 1 });
  expect(await db.count('shares')).toBe(1);
  db.close();
});

test('a fresh browser gets every store of the current version at once', async () => {
  const db = await openDatabase(`fresh-${Math.random()}`);
  expect([...db.objectStoreNames].sort()).toEqual(['batches', 'inbox', 'shares', 'transfers']);
  expect([...db.transaction('transfers').store.indexNames]).toEqual(['updatedAt']);
  db.close();
});
