/**
 * The peer-to-peer transfer protocol on one ordered, reliable DataChannel
 * (design.md §4), defined once. Control messages are JSON text; file data
 * travels in binary frames:
 *
 *   [u32 fileIndex][u32 chunkIndex][32 bytes SHA-256 of payload][payload]
 */
import * as v from 'valibot';

/**
 * The peer-to-peer protocol's version: 2 since every channel opens with the handshake (docs/protocols.md).
 * Version 1 peers sent the manifest straight away; the handshake tells them apart.
 */
export const PROTOCOL_VERSION = 2;
export const HASH_BYTES = 32;
export const FRAME_HEADER_BYTES = 8 + HASH_BYTES;
/** Chromium's send() throws a TypeError for any message over this. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
/** Control messages are small; anything bigger is a broken or hostile peer. */
export const MAX_CONTROL_BYTES = 4 * 1024 * 1024;
export const MAX_FILES = 10_000;
/**
 * A shared text's most UTF-8 bytes. JSON escapes a control character as six bytes, so even the worst text stays
 * under MAX_MESSAGE_BYTES as one `text` message.
 */
export const MAX_TEXT_BYTES = 32 * 1024;

export const utf8Length = (text: string): number => new TextEncoder().encode(text).byteLength;

/** Why a text cannot be shared (too long: its size in KiB, rounded up), or undefined when it can. */
export function textProblem(text: string): { code: 'too-long'; kib: number } | undefined {
  const bytes = utf8Length(text);
  return bytes > MAX_TEXT_BYTES ? { code: 'too-long', kib: Math.ceil(bytes / 1024) } : undefined;
}

/** Payload bytes per chunk for a channel whose SCTP transport allows `maxMessageSize`. */
export function chunkSizeFor(maxMessageSize: number | undefined): number {
  // 0 or missing means "no limit announced"; the spec's default for an unknown peer is 64 KiB,
  // but every browser we talk to announces its limit, so 0 only comes from unlimited stacks.
  const limit = !maxMessageSize ? MAX_MESSAGE_BYTES : Math.min(maxMessageSize, MAX_MESSAGE_BYTES);
  // Whole 4 KiB pages keep File.slice() and storage batches aligned.
  return Math.floor((limit - FRAME_HEADER_BYTES) / 4096) * 4096;
}

export const chunkCount = (size: number, chunkSize: number): number => Math.ceil(size / chunkSize);

/** How many payload bytes chunk `index` of a file of `size` bytes carries. */
export const chunkLength = (size: number, chunkSize: number, index: number): number =>
  Math.max(0, Math.min(chunkSize, size - index * chunkSize));

const Count = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER));
const Hex256 = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));

export const FileEntry = v.strictObject({
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(1024)),
  /** Relative path inside a picked or dropped folder ("photos/2024/a.jpg"), or the bare name. */
  path: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)),
  size: Count,
  type: v.pipe(v.string(), v.maxLength(256)),
  lastModified: Count,
});

export const Manifest = v.strictObject({
  type: v.literal('manifest'),
  version: v.literal(PROTOCOL_VERSION),
  transferId: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{22}$/)),
  chunkSize: v.pipe(Count, v.minValue(4096), v.maxValue(MAX_MESSAGE_BYTES)),
  files: v.pipe(v.array(FileEntry), v.maxLength(MAX_FILES)),
});

export const ControlMessage = v.variant('type', [
  Manifest,
  /**
   * Sender → receiver: a text shared with the files (or instead of them), sent just before the manifest on every
   * channel, so it only ever travels after the handshake (docs/protocols.md). Shown as text, never opened.
   */
  v.strictObject({ type: v.literal('text'), text: v.pipe(v.string(), v.minLength(1), v.check((t) => utf8Length(t) <= MAX_TEXT_BYTES, 'text too long')) }),
  /** Receiver → sender: per file, how many leading chunks it already holds, verified. Answers the manifest, and ends a pause. */
  v.strictObject({ type: v.literal('resume'), have: v.pipe(v.array(Count), v.maxLength(MAX_FILES)) }),
  /** Receiver → sender: this many more bytes are committed to storage (credit for the window). */
  v.strictObject({ type: v.literal('ack'), bytes: Count }),
  /** Receiver → sender: this chunk failed its hash; send it again. */
  v.strictObject({ type: v.literal('nack'), file: Count, chunk: Count }),
  /** Sender → receiver: every chunk of the file was sent; `root` is SHA-256 over its chunk hashes. */
  v.strictObject({ type: v.literal('file-end'), file: Count, chunks: Count, root: Hex256 }),
  /**
   * Receiver → sender: storage is full; stop sending and forget the window until the next `resume`. `code` says
   * why (`storage-full`), for the sender's page to word in its own language; `reason` is the same in English, for
   * logs. A pause without a code (an older receiver) is still a pause.
   */
  v.strictObject({ type: v.literal('pause'), code: v.optional(v.pipe(v.string(), v.maxLength(64))), reason: v.pipe(v.string(), v.maxLength(1024)) }),
  /**
   * Receiver → sender: the person declined the manifest's files; nothing was stored. Sent instead of the first
   * `resume`, and again to a sender that comes back with the same manifest (docs/protocols.md).
   */
  v.strictObject({ type: v.literal('decline') }),
  /** Either side: stop one file, or the whole transfer when `file` is absent. */
  v.strictObject({ type: v.literal('cancel'), file: v.optional(Count) }),
  v.strictObject({ type: v.literal('error'), message: v.pipe(v.string(), v.maxLength(1024)) }),
]);

export type FileEntry = v.InferOutput<typeof FileEntry>;
export type Manifest = v.InferOutput<typeof Manifest>;
export type ControlMessage = v.InferOutput<typeof ControlMessage>;

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** Parses a control message; throws ProtocolError with a readable reason for anything malformed. */
export function parseControl(text: string): ControlMessage {
  if (text.length > MAX_CONTROL_BYTES) throw new ProtocolError('control message too large');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ProtocolError('control message is not JSON');
  }
  const result = v.safeParse(ControlMessage, json);
  if (!result.success) throw new ProtocolError(`bad control message: ${result.issues[0].message}`);
  return result.output;
}

export const encodeControl = (message: ControlMessage): string => JSON.stringify(message);

/** Whether two manifests describe the same transfer: same id, same files, same chunking. */
export function sameTransfer(a: Manifest, b: Manifest): boolean {
  return (
    a.transferId === b.transferId &&
    a.chunkSize === b.chunkSize &&
    a.files.length === b.files.length &&
    a.files.every((f, i) => f.size === b.files[i]!.size && f.path === b.files[i]!.path && f.lastModified === b.files[i]!.lastModified)
  );
}


export interface DataFrame {
  file: number;
  chunk: number;
  hash: Uint8Array<ArrayBuffer>;
  payload: Uint8Array<ArrayBuffer>;
}

/** Builds one binary frame: one allocation, one copy of the payload. */
export function encodeDataFrame(file: number, chunk: number, hash: Uint8Array, payload: Uint8Array): ArrayBuffer {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.byteLength);
  frame.set(payload, FRAME_HEADER_BYTES);
  writeFrameHeader(frame, file, chunk, hash);
  return frame.buffer;
}

/** Writes the header in front of a payload already in place at FRAME_HEADER_BYTES of `frame`. */
export function writeFrameHeader(frame: Uint8Array, file: number, chunk: number, hash: Uint8Array): void {
  const view = new DataView(frame.buffer, frame.byteOffset, FRAME_HEADER_BYTES);
  view.setUint32(0, file);
  view.setUint32(4, chunk);
  frame.set(hash, 8);
}

/** Splits a binary frame into its parts without copying the payload. */
export function decodeDataFrame(frame: ArrayBuffer): DataFrame {
  if (frame.byteLength < FRAME_HEADER_BYTES) throw new ProtocolError('data frame shorter than its header');
  const view = new DataView(frame);
  return {
    file: view.getUint32(0),
    chunk: view.getUint32(4),
    hash: new Uint8Array(frame, 8, HASH_BYTES),
    payload: new Uint8Array(frame, FRAME_HEADER_BYTES),
  };
}
