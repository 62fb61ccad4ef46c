import { base64url } from './encoding.ts';

/** 128 random bits as base64url, the form of room ids, link secrets and nonces (docs/security.md). */
export const randomId = (): string => base64url.encode(crypto.getRandomValues(new Uint8Array(16)));

export interface ShareTarget {
  room: string;
  /**
   * Lives in the fragment, so the signaler never sees it; peer authentication keys on it. Empty when the link
   * lost it (a chat app cut the fragment): the page still tries, the proof fails, and both sides say why.
   */
  secret: string;
}

const ID = /^[A-Za-z0-9_-]{22}$/;

export const shareUrl = (origin: string, { room, secret }: ShareTarget): string => `${origin}/r/${room}#k=${secret}`;

/** Reads a share link's room and secret from a page address; undefined when it names no valid room. */
export function parseShareLink(pathname: string, hash: string): ShareTarget | undefined {
  const room = /^\/r\/([^/]+)\/?$/.exec(pathname)?.[1];
  if (!room || !ID.test(room)) return undefined;
  const secret = new URLSearchParams(hash.replace(/^#/, '')).get('k') ?? '';
  return { room, secret: ID.test(secret) ? secret : '' };
}
