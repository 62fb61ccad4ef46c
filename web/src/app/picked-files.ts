import type { OutgoingFile } from '../transfer/sender.ts';

/**
 * A file the person picked. Where the browser gives a handle to it (File System Access), the handle is kept with
 * the share, so that after a reload one click reads the same file again (docs/architecture.md, "Stored records").
 */
export interface PickedFile extends OutgoingFile {
  handle?: FileSystemFileHandle;
}

/** Files from an <input type="file">, keeping folder-relative paths from webkitdirectory. */
export function fromFileList(list: FileList | readonly File[]): PickedFile[] {
  return [...list].map((file) => toPicked(file, file.webkitRelativePath || file.name));
}

/** Whether this browser has a file picker that gives handles (Chromium's showOpenFilePicker). */
export const pickerGivesHandles = (): boolean => typeof window.showOpenFilePicker === 'function';

/** Files from the browser's own picker, with their handles; none when the person closes it. */
export async function fromFilePicker(): Promise<PickedFile[]> {
  let handles: FileSystemFileHandle[];
  try {
    handles = (await window.showOpenFilePicker?.({ multiple: true })) ?? [];
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') return [];
    throw error;
  }
  return fromFileHandles(handles);
}

/** Files behind handles (the picker's, or those the installed app was opened with), keeping the handles; folders are left out. */
export function fromFileHandles(handles: readonly FileSystemHandle[]): Promise<PickedFile[]> {
  const files = handles.filter((handle): handle is FileSystemFileHandle => handle.kind === 'file');
  return Promise.all(files.map(async (handle) => ({ ...toPicked(await handle.getFile(), handle.name), handle })));
}

/** Files from a drop, walking dropped folders so their relative paths survive; dropped files keep their handles. */
export async function fromDataTransfer(transfer: DataTransfer): Promise<PickedFile[]> {
  const items = [...transfer.items].filter((item) => item.kind === 'file');
  // Both must be asked for before the first await: the items are emptied once the drop event returns.
  const handles = items.map((item) => item.getAsFileSystemHandle?.().catch(() => null));
  const entries = items.map((item) => item.webkitGetAsEntry?.());
  if (entries.every((entry) => !entry)) return fromFileList(transfer.files);
  const files: PickedFile[] = [];
  for (const [index, entry] of entries.entries()) {
    if (!entry) continue;
    const handle = entry.isFile ? await handles[index] : undefined;
    await walk(entry, files, handle?.kind === 'file' ? (handle as FileSystemFileHandle) : undefined);
  }
  return files;
}

async function walk(entry: FileSystemEntry, into: PickedFile[], handle?: FileSystemFileHandle): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    into.push({ ...toPicked(file, entry.fullPath.replace(/^\//, '')), ...(handle && { handle }) });
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

function toPicked(file: File, path: string): PickedFile {
  return {
    blob: file,
    entry: { name: file.name, path, size: file.size, type: file.type, lastModified: Math.max(0, Math.floor(file.lastModified)) },
  };
}
