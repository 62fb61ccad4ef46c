/**
 * CPace, the CFRG balanced PAKE, cipher suite CPACE-RISTR255-SHA512.
 *
 * Follows draft-irtf-cfrg-cpace-21 (the latest revision in the draft's own
 * repository, cfrg/draft-irtf-cfrg-cpace); the unit test checks it against that
 * draft's Appendix B.3 test vectors. Section names below refer to -21.
 *
 * Both peers hold the same password-related string PRS plus CI and sid. Each
 * sends one share; each derives the intermediate session key ISK, which is the
 * same on both sides only if PRS, CI, sid and both (share, AD) pairs match.
 * ISK only authenticates implicitly: the draft RECOMMENDS running it through a
 * KDF before use, and explicit key confirmation (section "Key confirmation")
 * before trusting the peer.
 *
 * Roles: Dropline uses the initiator-responder transcript ("transcript_ir"),
 * because our two peers always have fixed roles. The INITIATOR is the party
 * whose share goes on the wire first (party A, owning Ya/ADa); the other one
 * is the RESPONDER (party B, Yb/ADb). Both sides must agree on who is who, or
 * their ISKs differ.
 *
 * Group and hash come from the audited @noble libraries; this file only does
 * the draft's byte plumbing.
 */
import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, randomBytes } from '@noble/hashes/utils.js';

const Point = ristretto255.Point;
export type RistrettoPoint = InstanceType<typeof Point>;

/** G_Ristretto255.DSI (section "CPace group objects G_Ristretto255 ..."). */
export const CPACE_DSI = new TextEncoder().encode('CPaceRistretto255');
/** H.s_in_bytes: SHA-512 input block size, sizes the zero padding. */
const S_IN_BYTES = 128;
/** Length of encoded ristretto255 elements (shares and K). */
export const CPACE_SHARE_BYTES = 32;
/** ISK is H.hash(...) with the default SHA-512 output length. */
export const CPACE_ISK_BYTES = 64;

/** G.I: the public encoding of the neutral element. */
const IDENTITY = new Uint8Array(CPACE_SHARE_BYTES);
const ISK_DSI = concatBytes(CPACE_DSI, new TextEncoder().encode('_ISK'));

/** Every way a CPace run can be refused; the caller turns this into a refusal. */
export class CpaceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CpaceError';
  }
}

export type CpaceRole = 'initiator' | 'responder';

/**
 * prepend_len (Appendix A.1.1): the octet string prefixed with its length as
 * LEB128, 7 bits per byte, least significant group first.
 */
export function prependLen(data: Uint8Array): Uint8Array {
  const prefix: number[] = [];
  let length = data.length;
  do {
    const low = length & 0x7f;
    length = Math.floor(length / 128);
    prefix.push(length > 0 ? low | 0x80 : low);
  } while (length > 0);
  return concatBytes(Uint8Array.from(prefix), data);
}

/**
 * lv_cat (Appendix A.1.3): length-value concatenation. Length prefixes make the
 * encoding prefix-free, so no two input lists hash to the same string
 * (section "Hashing protocol transcripts").
 */
export function lvCat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(...parts.map(prependLen));
}

/**
 * generator_string (section "Common function for computing generators",
 * Appendix A.2). The zero padding makes DSI and PRS fill the first SHA-512
 * block, so the hashed length does not depend on a short password's length.
 */
export function generatorString(prs: Uint8Array, ci: Uint8Array, sid: Uint8Array): Uint8Array {
  const zpadLen = Math.max(0, S_IN_BYTES - 1 - prependLen(prs).length - prependLen(CPACE_DSI).length);
  return lvCat(CPACE_DSI, prs, new Uint8Array(zpadLen), ci, sid);
}

/**
 * G.calculate_generator for ristretto255: SHA-512 of the generator string
 * (64 bytes = 2 * field_size_bytes) fed to the RFC 9496 element derivation
 * (one-way map), which noble exposes as `deriveToCurve`.
 */
export function cpaceGenerator(prs: Uint8Array, ci: Uint8Array, sid: Uint8Array): RistrettoPoint {
  const digest = sha512(generatorString(prs, ci, sid));
  // Typed optional on noble's generic hasher; always present for ristretto255.
  if (!ristretto255_hasher.deriveToCurve) throw new Error('@noble/curves lacks ristretto255 deriveToCurve');
  return ristretto255_hasher.deriveToCurve(digest);
}

/**
 * transcript_ir (Appendix A.3.4): initiator's (share, AD) first, then the
 * responder's. Used because our peers have fixed roles (see file header).
 */
export function transcriptIr(ya: Uint8Array, adA: Uint8Array, yb: Uint8Array, adB: Uint8Array): Uint8Array {
  return concatBytes(lvCat(ya, adA), lvCat(yb, adB));
}

/** decode() from RFC 9496; anything but a canonical 32-byte encoding is refused. */
function decodeShare(encoded: Uint8Array): RistrettoPoint {
  try {
    return Point.fromBytes(encoded);
  } catch {
    throw new CpaceError('CPace share is not a valid ristretto255 encoding');
  }
}

/**
 * G.scalar_mult_vfy for ristretto255: encode(y * decode(X)), or G.I (32 zero
 * bytes) when X does not decode. Returns G.I rather than throwing so it can be
 * checked against the draft's invalid-input vectors; `finish` throws instead.
 */
export function scalarMultVfy(scalar: Uint8Array, encoded: Uint8Array): Uint8Array {
  const y = scalarFromBytes(scalar);
  let point: RistrettoPoint;
  try {
    point = decodeShare(encoded);
  } catch {
    return IDENTITY.slice();
  }
  // Prime-order group and y != 0: y*X is the identity exactly when X is.
  return point.is0() ? IDENTITY.slice() : point.multiply(y).toBytes();
}

/** ISK = H.hash(lv_cat(G.DSI || "_ISK", sid, K) || transcript) (section "CPace protocol instructions"). */
function deriveIsk(sid: Uint8Array, k: Uint8Array, transcript: Uint8Array): Uint8Array {
  return sha512(concatBytes(lvCat(ISK_DSI, sid, k), transcript));
}

/**
 * A 32-byte little-endian scalar (the draft's encoding of ya/yb), reduced mod
 * the group order; zero is refused since it would make the share the identity.
 */
function scalarFromBytes(bytes: Uint8Array): bigint {
  if (bytes.length !== 32) throw new CpaceError('CPace scalar must be 32 bytes');
  const y = Point.Fn.create(bytesToNumberLE(bytes));
  if (y === 0n) throw new CpaceError('CPace scalar must not be zero');
  return y;
}

/**
 * G.sample_scalar: 64 random bytes reduced mod the group order, i.e. the
 * draft's allowed "uniform sampling between 1 and (G.group_order - 1)" done by
 * oversampling and reduction (section "Sampling of scalars"); the bias is
 * about 2^-260 and zero is resampled.
 */
function sampleScalar(): bigint {
  for (;;) {
    const y = Point.Fn.create(bytesToNumberLE(randomBytes(64)));
    if (y !== 0n) return y;
  }
}

export interface CpaceStartOptions {
  /** Password-related string, shared secret of both peers. */
  prs: Uint8Array;
  /** Channel identifier: confidential, must be identical on both sides. */
  ci: Uint8Array;
  /** Session identifier: public, unique per session, identical on both sides. */
  sid: Uint8Array;
  /** This party's associated data, sent in clear next to its share. */
  ad: Uint8Array;
  /** Tests only: inject the draft's 32-byte little-endian ya/yb. Never reuse a scalar. */
  scalar?: Uint8Array;
}

export interface CpaceSession {
  /** This party's encoded share (Ya or Yb), 32 bytes, to send with `ad`. */
  readonly share: Uint8Array;
  /**
   * Derives ISK (64 bytes) from the peer's share and AD. `role` is this
   * party's role. Throws CpaceError on an invalid or identity share. One shot:
   * the secret scalar is dropped after the first call (section "Nonce values").
   */
  finish(peerShare: Uint8Array, peerAd: Uint8Array, role: CpaceRole): Uint8Array;
}

/** Starts one CPace run (section "CPace protocol instructions"). */
export function cpaceStart(options: CpaceStartOptions): CpaceSession {
  const { prs, ci, sid } = options;
  const ad = options.ad.slice();
  let y: bigint | undefined = options.scalar !== undefined ? scalarFromBytes(options.scalar) : sampleScalar();
  // G.scalar_mult(y, g) = encode(y * g).
  const share = cpaceGenerator(prs, ci, sid).multiply(y).toBytes();
  const sidCopy = sid.slice();

  return {
    share: share.slice(),
    finish(peerShare, peerAd, role) {
      if (y === undefined) throw new CpaceError('CPace session already finished');
      const scalar = y;
      y = undefined;
      const peer = decodeShare(peerShare);
      // K = G.scalar_mult_vfy(y, Y_peer), and the draft says abort if K = G.I.
      // With a prime-order group and y != 0 that happens exactly when the peer
      // sent the identity, so check the share and spare the multiplication.
      if (peer.is0()) throw new CpaceError('CPace peer share is the identity element');
      const k = peer.multiply(scalar).toBytes();
      const transcript =
        role === 'initiator' ? transcriptIr(share, ad, peerShare, peerAd) : transcriptIr(peerShare, peerAd, share, ad);
      return deriveIsk(sidCopy, k, transcript);
    },
  };
}
