import type { OutgoingFile } from '../transfer/sender.ts';

/** Files from an <input type="file">, keeping folder-relative paths from webkitdirectory. */
export function fromFileList(list: FileList | readonly File[]): OutgoingFile[] {
  return [...list].map((file) => toOutgoing(file, file.webkitRelativePath || file.name));
}

/** Files from a drop, walking dropped folders so their relative paths survive. */
export async function fromDataTransfer(transfer: DataTransfer): Promise<OutgoingFile[]> {
  const entries = [...transfer.items]
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.())
    .filter((entry): entry is FileSystemEntry => !!entry);
  if (entries.length === 0) return fromFileList(transfer.files);
  const files: OutgoingFile[] = [];
  for (const entry of entries) await walk(entry, files);
  return files;
}

async function walk(entry: FileSystemEntry, into: OutgoingFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    into.push(toOutgoing(file, entry.fullPath.replace(/^\//, '')));
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns at most ~100 entries a call; keep asking until it returns none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return;
    for (const child of batch) await walk(child, into);
  }
}

function toOutgoing(file: File, path: string): OutgoingFile {
  return {
    blob: file,
    entry: { name: file.name, path, size: file.size, type: file.type, lastModified: Math.max(0, Math.floor(file.lastModified)) },
  };
}
