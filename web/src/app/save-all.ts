/**
 * Save all: every finished file of a share at once, as one zip or into a folder the person picks, with the
 * files' folder paths (docs/architecture.md, "Saving"). Both stream from the stored Blobs (OPFS files, or
 * IndexedDB Blobs) piece by piece; nothing is ever whole in memory.
 */
import { makeZip } from 'client-zip';
import { canWriteScratch, zipToScratch } from '../storage/zip-scratch.ts';
import { downloadBlob } from './save-file.ts';
import { m } from '../i18n/messages.ts';

export interface SavedFile {
  /** The path inside the share: "photos/2024/a.jpg", or the bare name. */
  path: string;
  blob: Blob;
  lastModified: number;
}

/**
 * The paths the files are saved under: the sender's paths with any segment that could climb out of the folder
 * or the zip ("..", ".", empty, a drive or a backslash) dropped, since a peer writes them (docs/security.md), and a
 * second file of the same path numbered ("a (2).txt") rather than written over the first.
 */
export function savePaths(paths: readonly string[]): string[] {
  const taken = new Set<string>();
  return paths.map((path, i) => {
    const parts = path.split(/[/\\]/).filter((part) => part !== '' && part !== '.' && part !== '..' && !part.includes(':'));
    const clean = parts.join('/') || `file ${i + 1}`;
    let saved = clean;
    for (let n = 2; taken.has(saved.toLowerCase()); n++) saved = clean.replace(/(\.[^./]*)?$/, (ext) => ` (${n})${ext}`);
    taken.add(saved.toLowerCase());
    return saved;
  });
}

/** What the zip of these files is called: the folder they all sit in, or "Dropline files" in the reader's language. */
export function zipName(files: readonly SavedFile[]): string {
  const tops = new Set(savePaths(files.map((f) => f.path)).map((path) => (path.includes('/') ? path.slice(0, path.indexOf('/')) : '')));
  const [top] = tops;
  return `${tops.size === 1 && top ? top : m.zip_default_name()}.zip`;
}

/**
 * Writes the zip (client-zip: stored entries, CRC-32 computed as the bytes pass) into an OPFS scratch file from a
 * worker that reads the files into one reused buffer (storage/zip-scratch.ts; docs/architecture.md, "Saving":
 * the renderer grows by about 9 MiB for 1 GiB, where piping from the page grew it by about 100 MiB), then hands
 * that disk-backed file to the browser's downloads like a single file (save-file.ts). Where the page cannot
 * write OPFS, or the worker cannot open a sync access handle, the browser assembles the streamed zip into a Blob,
 * which it keeps on disk once large. A full disk is reported, not retried in memory.
 */
export async function downloadZip(files: readonly SavedFile[]): Promise<void> {
  const paths = savePaths(files.map((f) => f.path));
  const entries = files.map((f, i) => ({ name: paths[i]!, blob: f.blob, lastModified: f.lastModified }));
  let blob: Blob | undefined;
  if (canWriteScratch()) {
    blob = await zipToScratch(entries).catch((error: unknown) => {
      if (error instanceof DOMException && error.name === 'QuotaExceededError') throw error;
      return undefined;
    });
  }
  blob ??= await new Response(makeZip(entries.map((e) => ({ name: e.name, input: e.blob, size: e.blob.size, lastModified: new Date(e.lastModified) })))).blob();
  downloadBlob(new Blob([blob], { type: 'application/zip' }), zipName(files));
}

/** Whether this browser lets the person pick a folder to write into (File System Access). */
export const canPickFolder = (): boolean => typeof window !== 'undefined' && typeof window.showDirectoryPicker === 'function';

/**
 * Asks for a folder and writes every file into it under its path, making its subfolders. Returns false when the
 * person closed the picker. Must be called from a click: the picker needs the user activation.
 */
export async function saveToFolder(files: readonly SavedFile[]): Promise<boolean> {
  let folder: FileSystemDirectoryHandle;
  try {
    folder = await window.showDirectoryPicker!({ mode: 'readwrite' });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') return false;
    throw error;
  }
  const paths = savePaths(files.map((f) => f.path));
  for (const [i, file] of files.entries()) {
    const parts = paths[i]!.split('/');
    const name = parts.pop()!;
    let directory = folder;
    for (const part of parts) directory = await directory.getDirectoryHandle(part, { create: true });
    const handle = await directory.getFileHandle(name, { create: true });
    await file.blob.stream().pipeTo(await handle.createWritable());
  }
  return true;
}
