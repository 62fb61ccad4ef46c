/**
 * The person's own words for what went wrong, chosen by code: the signaler's error codes, the transfer's reason
 * codes (some of them the peer's), the handshake's refusals and storage errors. Never the server's or the
 * peer's text, which is in their language, not the reader's; an unknown code gets a generic message.
 */
import { m, type Text } from '../i18n/messages.ts';
import type { SignalingProblem } from '../net/network.ts';
import { TransferBusyError } from '../transfer/chunk-store.ts';

export function signalingProblemText(problem: SignalingProblem): Text {
  switch (problem.code) {
    case 'connection-lost':
      return m.problem_connection_lost;
    case 'server-version':
      return () => m.problem_server_version({ page: problem.pageVersion });
    case 'room-not-found':
      return m.problem_room_not_found;
    case 'room-full':
      return m.problem_room_full;
    case 'sender-present':
      return m.problem_sender_present;
    case 'too-many-rooms':
      return m.problem_too_many_rooms;
    case 'rate-limited':
      return m.problem_rate_limited;
    case 'server-error':
      return m.problem_server;
    default:
      return m.problem_generic;
  }
}

/** Why a file or a transfer paused or failed (transfer/reasons.ts), as part of a sentence. */
export function reasonText(code: string | undefined): Text {
  switch (code) {
    case 'storage-full':
      return m.reason_peer_out_of_storage;
    case 'transfer-busy':
      return m.reason_transfer_busy;
    case 'storage-failed':
      return m.reason_storage_failed;
    case 'hash-mismatch':
      return m.reason_hash_mismatch;
    case 'hash-mismatch-again':
      return m.reason_hash_mismatch_again;
    case 'protocol':
      return m.reason_protocol;
    case 'peer-failed':
      return m.reason_peer_failed;
    case 'connection-lost':
      return m.reason_connection_closed;
    case 'cancelled-by-peer':
      return m.reason_cancelled_by_peer;
    case 'cancelled':
      return m.reason_cancelled;
    default:
      return m.reason_unknown;
  }
}

/** Why something stored could not be read or deleted: another tab holds it, or the browser's own reason. */
export function storageProblemText(error: unknown): Text {
  if (error instanceof TransferBusyError) return m.delete_busy;
  // The browser's words for what its storage refused: there is no code to choose by.
  const reason = error instanceof Error ? error.message : String(error);
  return () => m.storage_unreadable({ reason });
}
