/**
 * Hands a finished file to the browser's downloads under its original name.
 * The Blob is assembled by the store from stored pieces (disk-backed in
 * Chromium), so the browser copies it to disk without it passing through memory.
 */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  anchor.rel = 'noopener';
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // The download has started from the URL by now; give slow devices a moment before freeing it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

interface SaveFilePicker {
  showSaveFilePicker(options: { suggestedName: string }): Promise<FileSystemFileHandle>;
}

/** Whether this browser lets the user pick where a file goes (File System Access). */
export const canPickSaveLocation = (): boolean => typeof window !== 'undefined' && 'showSaveFilePicker' in window;

/**
 * Asks where to save and streams the file there piece by piece. Returns false
 * when the person closed the picker. Must run from a click: the picker needs a user gesture.
 */
export async function saveBlobAs(blob: Blob, name: string): Promise<boolean> {
  let handle: FileSystemFileHandle;
  try {
    handle = await (window as unknown as SaveFilePicker).showSaveFilePicker({ suggestedName: name });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') return false;
    throw error;
  }
  await blob.stream().pipeTo(await handle.createWritable());
  return true;
}
