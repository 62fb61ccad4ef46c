/**
 * The signaling protocol, defined once: every frame a client or the server may
 * send over /ws, as a schema. The server validates with these; the web client
 * imports the same schemas and types, so the two cannot drift apart.
 */
import * as v from 'valibot';

/** Frames larger than this are refused before they are parsed. */
export const MAX_FRAME_BYTES = 64 * 1024;

/** 128 random bits, base64url without padding. */
const ID_128 = /^[A-Za-z0-9_-]{22}$/;

export const RoomId = v.pipe(v.string(), v.regex(ID_128, 'room must be 22 base64url characters'));
export const PeerId = v.pipe(v.string(), v.regex(ID_128, 'peer id must be 22 base64url characters'));
export const PeerToken = v.pipe(v.string(), v.regex(ID_128, 'peer token must be 22 base64url characters'));
export const Role = v.picklist(['sender', 'receiver']);

const SessionDescription = v.strictObject({
  type: v.picklist(['offer', 'answer', 'pranswer', 'rollback']),
  sdp: v.pipe(v.string(), v.maxLength(48 * 1024)),
});

const IceCandidate = v.strictObject({
  candidate: v.pipe(v.string(), v.maxLength(1024)),
  sdpMid: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(64)))),
  sdpMLineIndex: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(255)))),
  usernameFragment: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(256)))),
});

/** What peers exchange through the signaler: an SDP description or a trickled ICE candidate. */
export const SignalData = v.union([
  v.strictObject({ description: SessionDescription }),
  v.strictObject({ candidate: v.nullable(IceCandidate) }),
]);

export const JoinFrame = v.strictObject({
  type: v.literal('join'),
  room: RoomId,
  role: Role,
  peerToken: v.optional(PeerToken),
});
export const SignalFrame = v.strictObject({ type: v.literal('signal'), to: PeerId, data: SignalData });
export const LeaveFrame = v.strictObject({ type: v.literal('leave') });

export const ClientFrame = v.variant('type', [JoinFrame, SignalFrame, LeaveFrame]);

export const IceServer = v.object({
  urls: v.union([v.string(), v.array(v.string())]),
  username: v.optional(v.string()),
  credential: v.optional(v.string()),
});

export const IceTransportPolicy = v.picklist(['all', 'relay']);

export const PeerInfo = v.strictObject({ peerId: PeerId, role: Role });

export const ErrorCode = v.picklist([
  'bad-json',
  'bad-frame',
  'too-large',
  'not-joined',
  'already-joined',
  'room-not-found',
  'room-full',
  'sender-present',
  'unknown-peer',
  'rate-limited',
  'too-many-rooms',
  'server-error',
]);

export const ServerFrame = v.variant('type', [
  v.strictObject({
    type: v.literal('joined'),
    room: RoomId,
    peerId: PeerId,
    peerToken: PeerToken,
    peers: v.array(PeerInfo),
    iceServers: v.array(IceServer),
    /** `relay` makes browsers use TURN only; absent means `all`. */
    iceTransportPolicy: v.optional(IceTransportPolicy),
  }),
  v.strictObject({ type: v.literal('peer-joined'), peerId: PeerId, role: Role }),
  v.strictObject({ type: v.literal('peer-left'), peerId: PeerId }),
  v.strictObject({ type: v.literal('signal'), from: PeerId, data: SignalData }),
  v.strictObject({ type: v.literal('error'), code: ErrorCode, message: v.string() }),
]);

export type Role = v.InferOutput<typeof Role>;
export type SignalData = v.InferOutput<typeof SignalData>;
export type ClientFrame = v.InferOutput<typeof ClientFrame>;
export type ServerFrame = v.InferOutput<typeof ServerFrame>;
export type IceServer = v.InferOutput<typeof IceServer>;
export type PeerInfo = v.InferOutput<typeof PeerInfo>;
export type IceTransportPolicy = v.InferOutput<typeof IceTransportPolicy>;
export type ErrorCode = v.InferOutput<typeof ErrorCode>;
