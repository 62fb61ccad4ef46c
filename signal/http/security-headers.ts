import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Headers for every response. The CSP allows only our own origin (which in
 * CSP3 includes its ws:/wss: WebSocket) and no inline script, so an injected
 * file name can never run code. No referrer, so a share link never leaks.
 */
const baseHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:', 'blob:'],
    connectSrc: ["'self'"],
    workerSrc: ["'self'"],
    manifestSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    frameAncestors: ["'none'"],
    formAction: ["'self'"],
  },
  referrerPolicy: 'no-referrer',
  xContentTypeOptions: 'nosniff',
  xFrameOptions: 'DENY',
  // Set below, only over TLS: on plain http it would mean nothing, and on a dev machine's localhost it would stick.
  strictTransportSecurity: false,
  crossOriginEmbedderPolicy: false,
});

/** True when the client reached us over TLS: directly, or through a proxy that says so. */
const overTls = (url: string, forwardedProto: string | undefined): boolean =>
  url.startsWith('https:') || forwardedProto?.split(',')[0]?.trim().toLowerCase() === 'https';

export const securityHeaders = (): MiddlewareHandler => async (c, next) => {
  await baseHeaders(c, next);
  if (overTls(c.req.url, c.req.header('x-forwarded-proto'))) c.res.headers.set('Strict-Transport-Security', HSTS);
};
