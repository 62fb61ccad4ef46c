/**
 * Why a transfer or one of its files paused, stopped or failed, as a code. The page words it in the person's own
 * language (app/reason-text.ts); `error` beside it keeps the details, in English, for logs and tests. A code that
 * came from the peer (a `pause` message's) may be one this release does not know: the page then says something
 * generic rather than the peer's words.
 */
export type ReasonCode =
  | 'storage-full'
  | 'transfer-busy'
  | 'storage-failed'
  | 'hash-mismatch'
  | 'hash-mismatch-again'
  | 'protocol'
  | 'peer-failed'
  | 'connection-lost'
  | 'cancelled'
  | 'cancelled-by-peer'
  | 'failed';

/** The `pause` message's code (docs/protocols.md) when the receiving device is out of storage. */
export const PAUSE_STORAGE_FULL = 'storage-full' satisfies ReasonCode;
