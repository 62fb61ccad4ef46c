/**
 * Structured logs: one JSON object per line on stdout, one line per event.
 * Callers pass only fields that are safe to keep: never a peer token, a TURN
 * credential or anything from a link's fragment. Room ids are logged as
 * `roomTag`, a short hash, so logs can follow a room without holding its link.
 */
import { createHash } from 'node:crypto';

export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

function write(level: string, event: string, fields: LogFields | undefined): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, event, ...fields })}\n`);
}

export const jsonLogger: Logger = {
  info: (event, fields) => write('info', event, fields),
  warn: (event, fields) => write('warn', event, fields),
  error: (event, fields) => write('error', event, fields),
};

/** A stable, non-reversible tag for a room id (the room id is half of a share link). */
export const roomTag = (room: string): string => createHash('sha256').update(room).digest('hex').slice(0, 12);
