import { randomBytes } from 'node:crypto';

/** 128 random bits as base64url: room ids, peer ids and peer tokens all use this form. */
export const randomId = (): string => randomBytes(16).toString('base64url');
