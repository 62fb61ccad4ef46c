/**
 * The proofs each side sends, and the keys they are made with (docs/security.md, "Peer authentication").
 * A proof is HMAC-SHA-256 over a transcript that names the prover's role, both DTLS fingerprints, the room,
 * the protocol version, the mode and both sides' nonces: a proof made for one connection proves nothing on
 * another, and a relay that terminates DTLS itself presents other fingerprints than the ones proven.
 */
import { lvCat } from './cpace.ts';
import { hkdf, utf8 } from './hkdf.ts';
import type { AuthMode, Role } from './messages.ts';

export interface TranscriptFields {
  version: number;
  room: string;
  mode: AuthMode;
  senderFingerprint: string;
  receiverFingerprint: string;
  senderNonce: string;
  receiverNonce: string;
}

/** What both sides agree on, length-prefixed field by field (CPace's lv_cat) so no two transcripts share bytes. */
export function sharedTranscript(t: TranscriptFields): Uint8Array<ArrayBuffer> {
  return lvCat(
    utf8('dropline transcript v1'),
    utf8(String(t.version)),
    utf8(t.mode),
    utf8(t.room),
    utf8(t.senderFingerprint),
    utf8(t.receiverFingerprint),
    utf8(t.senderNonce),
    utf8(t.receiverNonce),
  ) as Uint8Array<ArrayBuffer>;
}

/** The transcript `role`'s proof covers: the shared one, headed by the prover's role so neither side's proof serves for the other. */
const proofInput = (role: Role, t: TranscriptFields): Uint8Array<ArrayBuffer> => lvCat(utf8(`proof by ${role}`), sharedTranscript(t)) as Uint8Array<ArrayBuffer>;

const hmacKey = (key: Uint8Array<ArrayBuffer>, usage: 'sign' | 'verify'): Promise<CryptoKey> =>
  crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);

/** `role`'s proof for this connection under `key`. */
export async function makeProof(key: Uint8Array<ArrayBuffer>, role: Role, t: TranscriptFields): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(key, 'sign'), proofInput(role, t)));
}

/** Whether `mac` is `role`'s proof for this connection under `key` (compared in constant time by WebCrypto). */
export async function checkProof(key: Uint8Array<ArrayBuffer>, role: Role, t: TranscriptFields, mac: Uint8Array<ArrayBuffer>): Promise<boolean> {
  return crypto.subtle.verify('HMAC', await hmacKey(key, 'verify'), mac, proofInput(role, t));
}

const NO_SALT = new Uint8Array(0);

/** The proof key of a password run: CPace's ISK through HKDF, as the CPace draft recommends before use. */
export const passwordProofKey = (isk: Uint8Array): Promise<Uint8Array<ArrayBuffer>> =>
  hkdf(isk, NO_SALT, utf8('dropline password proof v1'), 32);

/**
 * A short code both screens show once the proofs check out, for people who want to compare them by eye or
 * over the phone: six digits from the proof key and the shared transcript (with both fingerprints in it).
 */
export async function verificationCode(key: Uint8Array<ArrayBuffer>, t: TranscriptFields): Promise<string> {
  const bytes = await hkdf(key, NO_SALT, lvCat(utf8('dropline verification code v1'), sharedTranscript(t)), 4);
  const digits = String(new DataView(bytes.buffer).getUint32(0) % 1_000_000).padStart(6, '0');
  return `${digits.slice(0, 3)} ${digits.slice(3)}`;
}
