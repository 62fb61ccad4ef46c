import * as v from 'valibot';
import { ClientFrame, MAX_FRAME_BYTES, ServerFrame, SignalData, type ErrorCode } from './messages.ts';

export type Parsed<T> = { ok: true; frame: T } | { ok: false; code: ErrorCode; message: string };

const encoder = new TextEncoder();

function parseWith<T>(schema: v.GenericSchema<unknown, T>, text: string): Parsed<T> {
  // A UTF-8 byte count, not a character count: that is what costs memory and bandwidth.
  if (text.length > MAX_FRAME_BYTES || encoder.encode(text).byteLength > MAX_FRAME_BYTES) {
    return { ok: false, code: 'too-large', message: `frame exceeds ${MAX_FRAME_BYTES} bytes` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad-json', message: 'frame is not valid JSON' };
  }
  const result = v.safeParse(schema, json);
  if (!result.success) {
    const issue = result.issues[0];
    const where = issue.path?.map((p) => String(p.key)).join('.') ?? '';
    return { ok: false, code: 'bad-frame', message: where ? `${where}: ${issue.message}` : issue.message };
  }
  return { ok: true, frame: result.output };
}

/** Validates a frame a client sent. Never throws. */
export const parseClientFrame = (text: string): Parsed<ClientFrame> => parseWith(ClientFrame, text);

/** Validates a frame the server sent; the web client uses this so a bad server cannot confuse it. */
export const parseServerFrame = (text: string): Parsed<ServerFrame> => parseWith(ServerFrame, text);

/** Validates one peer's signal carried outside the signaler (a lane's, web/src/net/lane.ts), to the same limits. Never throws. */
export const parseSignalData = (text: string): Parsed<SignalData> => parseWith(SignalData, text);
