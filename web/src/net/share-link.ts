/** 128 random bits as base64url, the form of room ids and link secrets (design.md §2). */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export interface ShareTarget {
  room: string;
  /** Lives in the fragment, so the signaler never sees it; peer authentication keys on it. */
  secret: string;
}

const ID = /^[A-Za-z0-9_-]{22}$/;

export const shareUrl = (origin: string, { room, secret }: ShareTarget): string => `${origin}/r/${room}#k=${secret}`;

/** Reads a share link's room and secret from a page address; undefined when it is not a valid link. */
export function parseShareLink(pathname: string, hash: string): ShareTarget | undefined {
  const room = /^\/r\/([^/]+)\/?$/.exec(pathname)?.[1];
  const secret = new URLSearchParams(hash.replace(/^#/, '')).get('k');
  if (!room || !ID.test(room) || !secret || !ID.test(secret)) return undefined;
  return { room, secret };
}
