import { describe, expect, test } from 'vitest';
import { createHmac } from 'node:crypto';
import { mintTurnCredentials } from '../../signal/ice/turn-credentials.ts';
import { iceServersFor } from '../../signal/ice/ice-servers.ts';
import { loadConfig } from '../../signal/config.ts';

test('TURN REST credentials: username expiry:peerId, credential base64(HMAC-SHA1(secret, username))', () => {
  const { username, credential } = mintTurnCredentials('s3cret', 'peer-1', 600, 1_700_000_000_500);
  expect(username).toBe('1700000600:peer-1');
  expect(credential).toBe(createHmac('sha1', 's3cret').update('1700000600:peer-1').digest('base64'));
});

test('a peer gets the configured ICE servers, plus TURN with its own credentials when TURN is set', () => {
  const stun = { urls: 'stun:stun.example:3478' };
  expect(iceServersFor({ iceServers: [stun], turn: undefined }, 'p')).toEqual([stun]);
  const servers = iceServersFor({ iceServers: [stun], turn: { urls: ['turn:t.example:3478'], secret: 'x', ttlSeconds: 60 } }, 'p');
  expect(servers[0]).toEqual(stun);
  expect(servers[1]).toMatchObject({ urls: ['turn:t.example:3478'], username: expect.stringMatching(/^\d+:p$/) });
});

describe('configuration from the environment', () => {
  test('defaults', () => {
    const config = loadConfig({});
    expect(config.ice.turn).toBeUndefined();
    expect(config.iceTransportPolicy).toBe('all');
    expect(config.redisUrl).toBeUndefined();
    expect(config.rateLimit).toEqual({ perSecond: 50, burst: 200 });
  });

  test('TURN settings', () => {
    const config = loadConfig({ TURN_URLS: 'turn:a:3478, turns:b:5349', TURN_SECRET: 'k', TURN_TTL_SECONDS: '120', ICE_TRANSPORT_POLICY: 'relay' });
    expect(config.ice.turn).toEqual({ urls: ['turn:a:3478', 'turns:b:5349'], secret: 'k', ttlSeconds: 120 });
    expect(config.iceTransportPolicy).toBe('relay');
  });

  test.each([
    [{ TURN_URLS: 'turn:a:3478' }, /TURN_URLS and TURN_SECRET go together/],
    [{ TURN_SECRET: 'k' }, /TURN_URLS and TURN_SECRET go together/],
    [{ TURN_URLS: 'http://a', TURN_SECRET: 'k' }, /must start with turn: or turns:/],
    [{ ICE_TRANSPORT_POLICY: 'none' }, /ICE_TRANSPORT_POLICY must be one of all, relay/],
    [{ RATE_LIMIT_PER_SECOND: '0' }, /RATE_LIMIT_PER_SECOND must be an integer of at least 1/],
    [{ MAX_PEERS_PER_ROOM: '1' }, /MAX_PEERS_PER_ROOM/],
    [{ ICE_SERVERS: '{"urls":1}' }, /ICE_SERVERS/],
    [{ TRUST_PROXY: 'yes' }, /TRUST_PROXY must be one of 0, 1/],
  ])('%o is refused with a clear message', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
