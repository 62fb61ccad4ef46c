/** SHA-256 through WebCrypto: the same in browsers and in Node, where the unit tests run. */
export async function sha256(data: BufferSource): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data));
}

/** A file's root: SHA-256 over its chunk hashes in order (SHA-256 of nothing for an empty file). */
export async function fileRoot(chunkHashes: readonly Uint8Array[]): Promise<string> {
  const all = new Uint8Array(chunkHashes.length * 32);
  chunkHashes.forEach((hash, i) => all.set(hash, i * 32));
  return toHex(await sha256(all));
}

export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
