/**
 * The handshake that opens every DataChannel, defined once (docs/protocols.md, "Handshake"). JSON text
 * messages; nothing else may cross the channel until both sides' proofs check out.
 */
import * as v from 'valibot';
import { PROTOCOL_VERSION } from '../../transfer/protocol.ts';

/** Versions of the peer-to-peer protocol (handshake and transfer) this build speaks, oldest first. */
export const SUPPORTED_VERSIONS: readonly number[] = [PROTOCOL_VERSION];

const Base64url = (bytes: number) => v.pipe(v.string(), v.length(Math.ceil((bytes * 4) / 3)), v.regex(/^[A-Za-z0-9_-]+$/));

export const Role = v.picklist(['sender', 'receiver']);
export type Role = v.InferOutput<typeof Role>;

/** How a share proves its peers: the link's secret alone, or the link's secret and a password (CPace). */
export const AuthMode = v.picklist(['link', 'password']);
export type AuthMode = v.InferOutput<typeof AuthMode>;

/** Why a side gave up; the other side words it for the person (docs/protocols.md lists them). */
export const RefusalCode = v.picklist(['version', 'proof', 'locked', 'protocol', 'timeout']);
export type RefusalCode = v.InferOutput<typeof RefusalCode>;

export const HandshakeMessage = v.variant('type', [
  /** First on the channel, from both: the versions each speaks, a fresh nonce, the sender's mode, the receiver's id. */
  v.strictObject({
    type: v.literal('hello'),
    versions: v.pipe(v.array(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000))), v.minLength(1), v.maxLength(16)),
    role: Role,
    nonce: Base64url(16),
    auth: v.optional(AuthMode),
    /** Receiver only: its lasting id for this transfer, so a new channel (or a reload) continues the same one. */
    id: v.optional(Base64url(16)),
  }),
  /** A CPace share (password mode): the receiver's first, then the sender's answer. */
  v.strictObject({ type: v.literal('pake'), share: Base64url(32) }),
  /** The proof: HMAC-SHA-256 over the transcript, under the link's or the password run's key. */
  v.strictObject({ type: v.literal('auth'), mac: Base64url(32) }),
  /** Sender → receiver: the password did not match; this many tries are left on this connection. */
  v.strictObject({ type: v.literal('retry'), triesLeft: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)) }),
  /** Either side: the handshake is over and failed; the channel closes after it. */
  v.strictObject({ type: v.literal('refuse'), code: RefusalCode }),
]);
export type HandshakeMessage = v.InferOutput<typeof HandshakeMessage>;

/** Handshake messages are a few hundred bytes; anything much larger is not one. */
const MAX_HANDSHAKE_BYTES = 4096;

/** Parses one handshake message; undefined for anything else (binary data, a transfer message, garbage). */
export function parseHandshake(data: string | ArrayBuffer): HandshakeMessage | undefined {
  if (typeof data !== 'string' || data.length > MAX_HANDSHAKE_BYTES) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined;
  }
  const result = v.safeParse(HandshakeMessage, json);
  return result.success ? result.output : undefined;
}

export const encodeHandshake = (message: HandshakeMessage): string => JSON.stringify(message);
