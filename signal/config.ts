import * as v from 'valibot';
import { IceServer, IceTransportPolicy } from './protocol/index.ts';
import type { IceSettings } from './ice/ice-servers.ts';

export interface Config {
  port: number;
  /** Where /metrics listens, if anywhere: undefined keeps it off. */
  metrics: { port: number; host: string } | undefined;
  host: string;
  /** Folder of the built web app. */
  staticDir: string;
  ice: IceSettings;
  iceTransportPolicy: IceTransportPolicy;
  maxPeersPerRoom: number;
  maxRoomsPerIp: number;
  emptyRoomGraceMs: number;
  rateLimit: { perSecond: number; burst: number };
  heartbeatMs: number;
  /** Take the client address from the last `X-Forwarded-For` entry (the one our proxy added). */
  trustProxy: boolean;
  /** Rooms and signals go through this Redis when set; in memory otherwise. */
  redisUrl: string | undefined;
}

const DEFAULT_ICE_SERVERS: IceServer[] = [{ urls: 'stun:stun.l.google.com:19302' }];

type Env = NodeJS.ProcessEnv;

function integer(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer of at least ${min}, got ${JSON.stringify(raw)}`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw new Error(`${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw as T;
}

function iceServers(env: Env): IceServer[] {
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

function turn(env: Env): IceSettings['turn'] {
  const urls = (env.TURN_URLS ?? '').split(',').map((url) => url.trim()).filter(Boolean);
  const secret = env.TURN_SECRET ?? '';
  if (urls.length === 0 && !secret) return undefined;
  if (urls.length === 0 || !secret) throw new Error('TURN_URLS and TURN_SECRET go together: set both or neither');
  const bad = urls.find((url) => !/^turns?:/.test(url));
  if (bad) throw new Error(`TURN_URLS entries must start with turn: or turns:, got ${JSON.stringify(bad)}`);
  return { urls, secret, ttlSeconds: integer(env, 'TURN_TTL_SECONDS', 3600, 60) };
}

/** Reads configuration from the environment; a bad value stops the process with a clear message. */
export function loadConfig(env: Env = process.env): Config {
  return {
    port: integer(env, 'PORT', 8787),
    metrics: env.METRICS_PORT ? { port: integer(env, 'METRICS_PORT', 0), host: env.METRICS_HOST || '127.0.0.1' } : undefined,
    host: env.HOST || '0.0.0.0',
    staticDir: env.STATIC_DIR || 'dist',
    ice: { iceServers: iceServers(env), turn: turn(env) },
    iceTransportPolicy: oneOf(env, 'ICE_TRANSPORT_POLICY', IceTransportPolicy.options, 'all'),
    maxPeersPerRoom: integer(env, 'MAX_PEERS_PER_ROOM', 16, 2),
    maxRoomsPerIp: integer(env, 'MAX_ROOMS_PER_IP', 32, 1),
    emptyRoomGraceMs: integer(env, 'ROOM_GRACE_SECONDS', 600) * 1000,
    rateLimit: { perSecond: integer(env, 'RATE_LIMIT_PER_SECOND', 50, 1), burst: integer(env, 'RATE_LIMIT_BURST', 200, 1) },
    heartbeatMs: integer(env, 'HEARTBEAT_SECONDS', 30, 1) * 1000,
    trustProxy: oneOf(env, 'TRUST_PROXY', ['0', '1'], '0') === '1',
    redisUrl: env.REDIS_URL || undefined,
  };
}
