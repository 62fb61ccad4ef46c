/**
 * Hands a finished file to the browser's downloads under its original name.
 * The Blob is assembled by the store from stored pieces, so nothing is copied here.
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
