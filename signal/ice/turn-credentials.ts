import { createHmac } from 'node:crypto';

export interface TurnCredentials {
  username: string;
  credential: string;
}

/**
 * Short-lived TURN credentials after the TURN REST API that coturn's
 * `use-auth-secret` checks: the username is `expiry:peerId` (expiry in Unix
 * seconds), the credential is base64(HMAC-SHA1(secret, username)). The TURN
 * server needs only the shared secret; nothing is stored per user.
 */
export function mintTurnCredentials(secret: string, peerId: string, ttlSeconds: number, nowMs = Date.now()): TurnCredentials {
  const expiry = Math.floor(nowMs / 1000) + ttlSeconds;
  const username = `${expiry}:${peerId}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}
