/**
 * Continuing a kept share after the sender's page reloaded (docs/architecture.md, "Stored records"): the person
 * picks the same files again, and only the very same files continue it. A file that changed since would mix two
 * contents in one received file, so it is refused, and says why.
 */
import type { ShareRecord } from '../storage/database.ts';
import { hashChunks } from '../transfer/frame-reader.ts';
import { HASH_BYTES, type FileEntry } from '../transfer/protocol.ts';
import type { OutgoingFile } from '../transfer/sender.ts';
import { ShareHashes } from '../transfer/share-hashes.ts';

/** Why a pick cannot continue a kept share, for the view to word: which file, and what is wrong with it. */
export interface ReopenProblem {
  code: 'size' | 'modified' | 'contents';
  paths: string[];
}

export type Reopened = { ok: true; files: OutgoingFile[]; hashes: ShareHashes } | { ok: false; problem: ReopenProblem };

/**
 * Whether a pick is meant for this kept share: it names exactly the files the share still sends (a withdrawn one
 * may be picked along). Any other pick is a new share, even one that names some of the same files.
 */
export function pickContinues(record: ShareRecord, picked: readonly OutgoingFile[]): boolean {
  const paths = new Set(picked.map((file) => file.entry.path));
  const shared = new Set(record.files.map((f) => f.path));
  const stillShared = record.files.filter((_, index) => !record.withdrawn.includes(index));
  return stillShared.every((entry) => paths.has(entry.path)) && [...paths].every((path) => shared.has(path));
}

/**
 * Checks a pick that continues a kept share (pickContinues): each file still shared has the same size and
 * modification time, and its chunks have the hashes computed before the reload (those receivers may already
 * hold). Resolves with the share's files, in its order and with its manifest entries, read from the new pick.
 */
export async function reopenShare(record: ShareRecord, picked: readonly OutgoingFile[]): Promise<Reopened> {
  const byPath = new Map(picked.map((file) => [file.entry.path, file]));
  const stillShared = record.files.filter((_, index) => !record.withdrawn.includes(index));
  for (const code of ['size', 'modified'] as const) {
    const differ = stillShared.filter((entry) => !same(code, entry, byPath.get(entry.path)!.entry)).map((entry) => entry.path);
    if (differ.length > 0) return { ok: false, problem: { code, paths: differ } };
  }

  const hashes = ShareHashes.from(record.hashes);
  const changed: string[] = [];
  for (const { file, chunkSize, hashes: kept } of record.hashes) {
    const entry = record.files[file];
    if (!entry || record.withdrawn.includes(file)) continue;
    const known = kept.byteLength / HASH_BYTES;
    let chunk = 0;
    for await (const { hash } of hashChunks(byPath.get(entry.path)!.blob, entry.size, chunkSize, 0, known)) {
      if (!equalBytes(hash, kept.subarray(chunk * HASH_BYTES, ++chunk * HASH_BYTES))) {
        changed.push(entry.path);
        break;
      }
    }
  }
  if (changed.length > 0) return { ok: false, problem: { code: 'contents', paths: [...new Set(changed)] } };

  // A withdrawn file is never read again: an empty stand-in keeps the share's file numbers.
  const files = record.files.map((entry) => ({ entry, blob: byPath.get(entry.path)?.blob ?? new Blob([]) }));
  return { ok: true, files, hashes };
}

function same(what: 'size' | 'modified', kept: FileEntry, picked: FileEntry): boolean {
  return what === 'size' ? kept.size === picked.size : kept.lastModified === picked.lastModified;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((byte, i) => byte === b[i]);
}
