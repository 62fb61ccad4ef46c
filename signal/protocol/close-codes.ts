/** WebSocket close codes the signaler uses, so the client can tell why it was closed. */
export const CloseCode = {
  /** Abuse: a flood past the rate limit, or too many bad frames. Reconnecting will not help soon. */
  policyViolation: 1008,
  /** A frame far over the size cap (closed by `ws` itself). */
  tooLarge: 1009,
  /** The server is shutting down or restarting: reconnect (to another instance) and resume. */
  restarting: 1012,
  /** Another connection reclaimed this peer id with its peer token. */
  replaced: 4001,
  /** The page speaks a protocol version this server does not (version.ts); the reason names the server's. */
  unsupportedProtocol: 4002,
} as const;
