/**
 * Everything a share's keys come from: the link's secret (`#k=`, 128 random bits the server never sees) and the
 * room. HKDF-SHA-256 (WebCrypto) turns them into separate keys for separate jobs, so no key serves two purposes
 * (docs/security.md, "Keys").
 */
import { base64url } from '../encoding.ts';
import { hkdf, utf8 } from './hkdf.ts';

export interface LinkKeys {
  /** 32 bytes that only holders of the whole link can derive: the key of the link proof, and part of CPace's PRS. */
  proofKey: Uint8Array<ArrayBuffer>;
  /**
   * Where a receiver keeps this link's chunks: derived, never taken from what the peer claims, so a peer cannot
   * point a receiver's storage at another transfer (base64url, the shape of ids elsewhere).
   */
  storageKey: string;
}

const SALT = utf8('dropline link keys v1');

/**
 * The keys of the link to `room` with `secret` (base64url; empty when the link lost its fragment: the keys are
 * then wrong, and the proof fails as it should).
 */
export async function deriveLinkKeys(room: string, secret: string): Promise<LinkKeys> {
  const ikm = base64url.decodeLoose(secret);
  const [proofKey, storage] = await Promise.all([hkdf(ikm, SALT, utf8(`proof ${room}`), 32), hkdf(ikm, SALT, utf8(`storage ${room}`), 16)]);
  return { proofKey, storageKey: base64url.encode(storage) };
}
