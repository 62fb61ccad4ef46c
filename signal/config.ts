import * as v from 'valibot';
import { IceServer } from './protocol/index.ts';

export interface Config {
  port: number;
  host: string;
  /** Folder of the built web app. */
  staticDir: string;
  iceServers: IceServer[];
  maxPeersPerRoom: number;
  emptyRoomGraceMs: number;
}

const DEFAULT_ICE_SERVERS: IceServer[] = [{ urls: 'stun:stun.l.google.com:19302' }];

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return value;
}

function iceServers(env: NodeJS.ProcessEnv): IceServer[] {
  const raw = env.ICE_SERVERS;
  if (raw === undefined || raw === '') return DEFAULT_ICE_SERVERS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('ICE_SERVERS must be a JSON array of RTCIceServer objects');
  }
  const result = v.safeParse(v.array(IceServer), parsed);
  if (!result.success) throw new Error(`ICE_SERVERS is not a JSON array of RTCIceServer objects: ${result.issues[0].message}`);
  return result.output;
}

/** Reads configuration from the environment; a bad value stops the process with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: integer(env, 'PORT', 8787),
    host: env.HOST || '0.0.0.0',
    staticDir: env.STATIC_DIR || 'dist',
    iceServers: iceServers(env),
    maxPeersPerRoom: integer(env, 'MAX_PEERS_PER_ROOM', 16),
    emptyRoomGraceMs: integer(env, 'ROOM_GRACE_SECONDS', 600) * 1000,
  };
}
