/**
 * The signaling protocol's version (docs/protocols.md, "Versions"). A page states the version it speaks
 * when it opens /ws; a server that does not speak it closes the socket with CloseCode.unsupportedProtocol,
 * so a page kept by the service worker across a release says so instead of failing obscurely.
 */
export const PROTOCOL_VERSION = 1;

/** The query parameter of /ws that carries the page's version. */
export const PROTOCOL_PARAM = 'protocol';

/** Versions this build of the signaler speaks. */
const SPOKEN: ReadonlySet<number> = new Set([PROTOCOL_VERSION]);

/**
 * Whether a server of this build speaks the version a page asked for. Pages built before versions were
 * stated send none; they speak version 1, which is the protocol as it was then.
 */
export function speaksProtocol(requested: string | undefined): boolean {
  if (requested === undefined) return SPOKEN.has(1);
  if (!/^[1-9][0-9]{0,5}$/.test(requested)) return false;
  return SPOKEN.has(Number(requested));
}

/** The close reason a refusing server sends: its own version, which the page shows. */
export function unsupportedProtocolReason(): string {
  return `server speaks protocol ${PROTOCOL_VERSION}`;
}

/** The server's version read back from that close reason, if it is one. */
export function serverProtocolFrom(reason: string): number | undefined {
  const match = /^server speaks protocol ([1-9][0-9]{0,5})$/.exec(reason);
  return match ? Number(match[1]) : undefined;
}
