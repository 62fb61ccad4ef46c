/** base64url without padding: the form of ids, secrets and binary fields in the handshake's JSON messages. */
export const base64url = {
  encode(bytes: Uint8Array): string {
    let binary = '';
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  },
  /** Decodes strictly: throws on anything that is not base64url. */
  decode(text: string): Uint8Array<ArrayBuffer> {
    if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new Error('not base64url');
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  },
  /** Decodes what can be decoded; a damaged or missing secret becomes its UTF-8 bytes, which simply derive wrong keys. */
  decodeLoose(text: string): Uint8Array<ArrayBuffer> {
    try {
      return base64url.decode(text);
    } catch {
      return new TextEncoder().encode(text);
    }
  },
};
