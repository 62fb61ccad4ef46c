import { createClient } from '@redis/client';
import type { PeerInfo, Role, ServerFrame } from '../protocol/index.ts';
import { randomId } from '../ids.ts';
import type { Logger } from '../observability/logger.ts';
import type { JoinOutcome, JoinRequest, Member, RoomLimits, RoomRegistry } from './room-registry.ts';

/*
 * Keys of one room share the hash tag {room}, so the scripts that touch them
 * all would also run on a Redis Cluster:
 *   dropline:{R}:open     "1" while the room exists
 *   dropline:{R}:members  peerId → "role|connection"
 *   dropline:{R}:tokens   peerToken → "role|peerId"
 * and events go over the channel dropline:{R}. All three keys carry a TTL:
 * instances refresh it for rooms they have peers in, so a room expires a grace
 * period after its last peer left, or after the last instance serving it died.
 */
const JOIN = `
local role, token = ARGV[1], ARGV[2]
if redis.call('EXISTS', KEYS[1]) == 0 then
  if role ~= 'sender' then return {'room-not-found'} end
  redis.call('DEL', KEYS[2], KEYS[3])
  redis.call('SET', KEYS[1], '1')
end
local peerId, peerToken
local claimed = token ~= '' and redis.call('HGET', KEYS[3], token)
if claimed then
  local bar = string.find(claimed, '|', 1, true)
  if string.sub(claimed, 1, bar - 1) ~= role then return {'bad-frame'} end
  peerId, peerToken = string.sub(claimed, bar + 1), token
else
  if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[5]) then return {'room-full'} end
  if role == 'sender' then
    for _, value in ipairs(redis.call('HVALS', KEYS[2])) do
      if string.sub(value, 1, 7) == 'sender|' then return {'sender-present'} end
    end
  end
  peerId, peerToken = ARGV[3], ARGV[4]
end
local others = redis.call('HGETALL', KEYS[2])
redis.call('HSET', KEYS[2], peerId, role .. '|' .. ARGV[7])
redis.call('HSET', KEYS[3], peerToken, role .. '|' .. peerId)
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[6]) end
local result = {'ok', peerId, peerToken}
for i = 1, #others, 2 do
  if others[i] ~= peerId then
    table.insert(result, others[i])
    table.insert(result, others[i + 1])
  end
end
return result
`;

/** Removes a member only if it is still this connection: a reclaimed peer id belongs to its new socket. */
const LEAVE = `
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[3]) end
return 1
`;

type RoomEvent =
  | { kind: 'joined'; peerId: string; role: Role; connection: string }
  | { kind: 'left'; peerId: string }
  | { kind: 'signal'; to: string; frame: ServerFrame };

interface LocalMember {
  member: Member;
  connection: string;
}

const keys = (room: string) => [`dropline:{${room}}:open`, `dropline:{${room}}:members`, `dropline:{${room}}:tokens`];
const channel = (room: string) => `dropline:{${room}}`;
const roleOf = (value: string) => value.slice(0, value.indexOf('|')) as Role;

/** A shorter TTL would make a room vanish between refreshes; rooms in memory honour smaller graces exactly. */
const MIN_TTL_SECONDS = 10;

const newClient = (url: string) => createClient({ url });
type Client = ReturnType<typeof newClient>;

/**
 * Rooms in Redis, so peers connected to different signaler instances meet.
 * Membership lives in keys with TTLs; peer-joined/peer-left and signals travel
 * over the room's pub/sub channel. Each instance keeps only its own sockets and
 * subscribes to the rooms they are in.
 */
export class RedisRoomRegistry implements RoomRegistry {
  readonly #local = new Map<string, Map<string, LocalMember>>();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #ttlSeconds: number;
  readonly #refresh: ReturnType<typeof setInterval>;

  private constructor(
    private readonly client: Client,
    private readonly subscriber: Client,
    private readonly limits: RoomLimits,
    private readonly log: Logger,
  ) {
    this.#ttlSeconds = Math.max(MIN_TTL_SECONDS, Math.ceil(limits.emptyRoomGraceMs / 1000));
    this.#refresh = setInterval(() => void this.#track(this.#refreshTtls()), (this.#ttlSeconds * 1000) / 3);
    this.#refresh.unref();
  }

  static async connect(url: string, limits: RoomLimits, log: Logger): Promise<RedisRoomRegistry> {
    const client = newClient(url);
    const subscriber = client.duplicate();
    for (const c of [client, subscriber]) c.on('error', (error: unknown) => log.error('redis-error', { error: String(error) }));
    await Promise.all([client.connect(), subscriber.connect()]);
    return new RedisRoomRegistry(client, subscriber, limits, log);
  }

  async join(request: JoinRequest, connect: (peerId: string) => Member): Promise<JoinOutcome> {
    const connection = randomId();
    const reply = (await this.client.eval(JOIN, {
      keys: keys(request.room),
      arguments: [request.role, request.peerToken ?? '', randomId(), randomId(), String(this.limits.maxPeersPerRoom), String(this.#ttlSeconds), connection],
    })) as string[];
    const [status, peerId, peerToken, ...others] = reply;
    if (status !== 'ok' || !peerId || !peerToken) return refusal(status);
    const peers: PeerInfo[] = [];
    for (let i = 0; i + 1 < others.length; i += 2) peers.push({ peerId: others[i]!, role: roleOf(others[i + 1]!) });

    let room = this.#local.get(request.room);
    if (!room) {
      this.#local.set(request.room, (room = new Map()));
      await this.subscriber.subscribe(channel(request.room), this.#onMessage);
    }
    const stale = room.get(peerId);
    room.set(peerId, { member: connect(peerId), connection });
    if (stale) stale.member.evict();
    await this.#publish(request.room, { kind: 'joined', peerId, role: request.role, connection });
    return { ok: true, peerId, peerToken, peers };
  }

  leave(room: string, peerId: string): Promise<void> {
    const local = this.#local.get(room);
    const mine = local?.get(peerId);
    if (!local || !mine) return Promise.resolve();
    local.delete(peerId);
    return this.#track(this.#leave(room, peerId, `${mine.member.role}|${mine.connection}`, local.size === 0));
  }

  async #leave(room: string, peerId: string, value: string, lastHere: boolean): Promise<void> {
    const removed = await this.client.eval(LEAVE, { keys: keys(room), arguments: [peerId, value, String(this.#ttlSeconds)] });
    if (removed === 1) await this.#publish(room, { kind: 'left', peerId });
    if (lastHere && this.#local.get(room)?.size === 0) {
      this.#local.delete(room);
      await this.subscriber.unsubscribe(channel(room), this.#onMessage);
    }
  }

  async relay(room: string, _from: string, to: string, frame: ServerFrame): Promise<boolean> {
    const local = this.#local.get(room)?.get(to);
    if (local) {
      local.member.deliver(frame);
      return true;
    }
    if (!(await this.client.hExists(keys(room)[1]!, to))) return false;
    await this.#publish(room, { kind: 'signal', to, frame });
    return true;
  }

  stats(): { rooms: number; peers: number } {
    let peers = 0;
    for (const room of this.#local.values()) peers += room.size;
    return { rooms: this.#local.size, peers };
  }

  async close(): Promise<void> {
    clearInterval(this.#refresh);
    await Promise.allSettled(this.#pending);
    this.#local.clear();
    await Promise.allSettled([this.subscriber.close(), this.client.close()]);
  }

  readonly #onMessage = (message: string, from: string): void => {
    const room = from.slice('dropline:{'.length, -1);
    const local = this.#local.get(room);
    if (!local) return;
    let event: RoomEvent;
    try {
      event = JSON.parse(message) as RoomEvent;
    } catch {
      this.log.error('redis-bad-event', { channel: from });
      return;
    }
    switch (event.kind) {
      case 'joined':
        for (const [peerId, mine] of local) {
          if (peerId !== event.peerId) mine.member.deliver({ type: 'peer-joined', peerId: event.peerId, role: event.role });
          else if (mine.connection !== event.connection) {
            // Reclaimed from another instance: this socket is the stale one.
            local.delete(peerId);
            mine.member.evict();
          }
        }
        return;
      case 'left':
        for (const [peerId, mine] of local) if (peerId !== event.peerId) mine.member.deliver({ type: 'peer-left', peerId: event.peerId });
        return;
      case 'signal':
        local.get(event.to)?.member.deliver(event.frame);
        return;
    }
  };

  async #publish(room: string, event: RoomEvent): Promise<void> {
    await this.client.publish(channel(room), JSON.stringify(event));
  }

  async #refreshTtls(): Promise<void> {
    if (this.#local.size === 0) return;
    const batch = this.client.multi();
    for (const room of this.#local.keys()) for (const key of keys(room)) batch.expire(key, this.#ttlSeconds);
    await batch.exec();
  }

  #track(work: Promise<void>): Promise<void> {
    const tracked = work.catch((error: unknown) => this.log.error('redis-error', { error: String(error) }));
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
    return tracked;
  }
}

function refusal(status: string | undefined): JoinOutcome {
  switch (status) {
    case 'room-not-found':
      return { ok: false, code: 'room-not-found', message: 'This link has expired or its sender has closed the page.' };
    case 'room-full':
      return { ok: false, code: 'room-full', message: 'this room is full' };
    case 'sender-present':
      return { ok: false, code: 'sender-present', message: 'this room already has a sender' };
    default:
      return { ok: false, code: 'bad-frame', message: 'peer token belongs to another role' };
  }
}
