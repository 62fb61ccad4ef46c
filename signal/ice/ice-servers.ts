import type { IceServer } from '../protocol/index.ts';
import { mintTurnCredentials } from './turn-credentials.ts';

export interface IceSettings {
  /** STUN/TURN servers from `ICE_SERVERS`, handed out as they are. */
  iceServers: IceServer[];
  /** TURN servers that take REST credentials (`TURN_URLS` + `TURN_SECRET`). */
  turn: { urls: string[]; secret: string; ttlSeconds: number } | undefined;
}

/** The ICE servers one peer gets: the configured ones, plus TURN with credentials minted for that peer. */
export function iceServersFor(settings: IceSettings, peerId: string): IceServer[] {
  if (!settings.turn) return settings.iceServers;
  const { urls, secret, ttlSeconds } = settings.turn;
  return [...settings.iceServers, { urls, ...mintTurnCredentials(secret, peerId, ttlSeconds) }];
}
