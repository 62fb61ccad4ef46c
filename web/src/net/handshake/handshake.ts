/**
 * Authenticates the peer on a freshly opened channel before anything else crosses it (docs/protocols.md,
 * "Handshake"; docs/security.md). Both sides say hello with the versions they speak and a nonce; then each
 * proves it holds the link's secret (and, for a share with a password, the password, through CPace) with a
 * MAC over a transcript that binds both DTLS fingerprints. Only when both proofs check out does the channel
 * go to the transfer; a failure is told to the peer with a code and closes the channel.
 */
import type { TransferChannel } from '../../transfer/channel.ts';
import { base64url } from '../encoding.ts';
import { randomId } from '../share-link.ts';
import { cpaceStart } from './cpace.ts';
import { lvCat } from './cpace.ts';
import { utf8 } from './hkdf.ts';
import type { LinkKeys } from './link-keys.ts';
import {
  SUPPORTED_VERSIONS,
  encodeHandshake,
  parseHandshake,
  type AuthMode,
  type HandshakeMessage,
  type RefusalCode,
  type Role,
} from './messages.ts';
import { checkProof, makeProof, passwordProofKey, verificationCode, type TranscriptFields } from './proof.ts';

/** A sender's count of one receiver's password tries (see password-tries.ts). */
export interface PasswordTries {
  /** Takes one try; false when none is left (the receiver is then refused). */
  take(): boolean;
  /** Gives back the try that proved the right password. */
  giveBack(): void;
  readonly left: number;
}

export interface HandshakeOptions {
  role: Role;
  room: string;
  keys: LinkKeys;
  /** Both ends' DTLS fingerprints as this side sees them (connectionFingerprints). */
  fingerprints: { local: string; remote: string };
  versions?: readonly number[];
  /** Receiver: its lasting id for this transfer (see messages.ts). */
  receiverId?: string;
  /** Sender: the share's password, if it has one. */
  password?: string;
  /** Sender: this receiver's tries, when the share has a password. */
  tries?: PasswordTries;
  /**
   * Receiver: asks the person for the share's password, the first time with `wrong` undefined, after a wrong
   * one with the tries left. Rejects when the person gives up.
   */
  askPassword?: (wrong: { triesLeft: number } | undefined) => Promise<string>;
  /** How long to wait for each of the peer's messages, other than while a person types a password. */
  stepTimeoutMs?: number;
}

export interface Authenticated {
  version: number;
  mode: AuthMode;
  /** Six digits both screens show; equal on both only if both sides saw the same connection. */
  verificationCode: string;
  /** Sender: the receiver's lasting id, as its hello gave it (absent from a receiver that sent none). */
  receiverId?: string;
}

/** Why a handshake ended without an authenticated peer: `code`, and whether the peer or this side said so. */
export class HandshakeError extends Error {
  override name = 'HandshakeError';
  constructor(
    readonly code: RefusalCode | 'closed' | 'gave-up',
    readonly byPeer: boolean,
  ) {
    super(byPeer ? `the peer refused the connection (${code})` : `the connection was refused (${code})`);
  }
}

/**
 * Whether a failed handshake was a refusal that trying again cannot change (a proof that did not check out, no
 * common version, no tries left, no password given), as opposed to a handshake that broke on the way: the
 * connection went away or quiet under it, or a message came out of place. A refusal ends the attempt for good;
 * anything else is tried again on the next connection, with backoff. Out-of-place messages were seen, rarely,
 * on the first connection of a sender page that reloaded and went on at once (the resume issue's note): calling
 * them final stopped a receiver for good, with nothing wrong with the link. A peer that breaks the protocol on
 * purpose gains nothing by being tried again: every handshake starts afresh and proves the link or fails.
 */
const FINAL_REFUSALS: ReadonlySet<string> = new Set(['proof', 'locked', 'version', 'gave-up']);
export const isRefusal = (error: unknown): boolean => error instanceof HandshakeError && FINAL_REFUSALS.has(error.code);

const STEP_TIMEOUT_MS = 20_000;
/** How long a refusing side waits for the peer to read its refusal and hang up. */
const REFUSAL_GRACE_MS = 2_000;
/** A person reading the link's page and typing the password: generous, but a forgotten tab does not wait for ever. */
const PASSWORD_TIMEOUT_MS = 30 * 60_000;

/** Runs the handshake on `channel`; resolves once the peer is proven, with the channel handed over for the transfer. */
export async function authenticate(channel: TransferChannel, options: HandshakeOptions): Promise<Authenticated> {
  const inbox = new Inbox(channel);
  try {
    const result = await run(inbox, channel, options);
    inbox.handOver();
    return result;
  } catch (error) {
    // A send that failed because the channel closed under the handshake is a lost connection, not a refusal.
    const failure = error instanceof HandshakeError ? error : new HandshakeError(channel.isOpen ? 'protocol' : 'closed', false);
    if (!failure.byPeer && failure.code !== 'closed' && channel.isOpen) {
      const code: RefusalCode = failure.code === 'gave-up' ? 'proof' : failure.code;
      // Closing at once could drop the refusal with the connection: the peer hangs up once it has read it
      // (or has refused too, having seen the failure itself). A channel going away takes no refusal.
      if (trySend(channel, { type: 'refuse', code })) await inbox.peerDone(REFUSAL_GRACE_MS);
    }
    inbox.stop();
    channel.close();
    throw failure;
  }
}

/** Sends `message`; false if the channel would not take it. */
function trySend(channel: TransferChannel, message: HandshakeMessage): boolean {
  try {
    channel.send(encodeHandshake(message));
    return true;
  } catch {
    return false;
  }
}

async function run(inbox: Inbox, channel: TransferChannel, o: HandshakeOptions): Promise<Authenticated> {
  // A send fails only when the channel is going away under the handshake, even while it still reads open (a
  // DataChannel's state catches up with its connection's later): a lost channel, never the peer's fault.
  const send = (message: HandshakeMessage) => {
    if (!trySend(channel, message)) throw new HandshakeError('closed', false);
  };
  const step = o.stepTimeoutMs ?? STEP_TIMEOUT_MS;
  const versions = o.versions ?? SUPPORTED_VERSIONS;
  const nonce = randomId();
  const ownMode: AuthMode | undefined = o.role === 'sender' ? (o.password ? 'password' : 'link') : undefined;
  send({ type: 'hello', versions: [...versions], role: o.role, nonce, ...(ownMode && { auth: ownMode }), ...(o.receiverId && { id: o.receiverId }) });

  const hello = await inbox.expect('hello', step);
  if (hello.role === o.role) throw new HandshakeError('protocol', false);
  const version = Math.max(...versions.filter((v) => hello.versions.includes(v)));
  if (!Number.isFinite(version)) throw new HandshakeError('version', false);
  const mode = ownMode ?? hello.auth ?? 'link';
  const [senderFingerprint, receiverFingerprint] = o.role === 'sender' ? [o.fingerprints.local, o.fingerprints.remote] : [o.fingerprints.remote, o.fingerprints.local];
  const [senderNonce, receiverNonce] = o.role === 'sender' ? [nonce, hello.nonce] : [hello.nonce, nonce];
  const t: TranscriptFields = { version, room: o.room, mode, senderFingerprint, receiverFingerprint, senderNonce, receiverNonce };
  const peerRole: Role = o.role === 'sender' ? 'receiver' : 'sender';
  const peerProves = async (key: Uint8Array<ArrayBuffer>, mac: string) => checkProof(key, peerRole, t, base64url.decode(mac));
  const sendProof = async (key: Uint8Array<ArrayBuffer>) => send({ type: 'auth', mac: base64url.encode(await makeProof(key, o.role, t)) });

  let key: Uint8Array<ArrayBuffer>;
  if (mode === 'link') {
    key = o.keys.proofKey;
    await sendProof(key);
    if (!(await peerProves(key, (await inbox.expect('auth', step)).mac))) throw new HandshakeError('proof', false);
  } else if (o.role === 'sender') {
    key = await provePasswordAsSender(inbox, o, t, send, sendProof, peerProves, step);
  } else {
    key = await provePasswordAsReceiver(inbox, o, t, send, sendProof, peerProves, step);
  }
  return { version, mode, verificationCode: await verificationCode(key, t), ...(o.role === 'sender' && hello.id && { receiverId: hello.id }) };
}

type Send = (message: HandshakeMessage) => void;
type SendProof = (key: Uint8Array<ArrayBuffer>) => Promise<void>;
type PeerProves = (key: Uint8Array<ArrayBuffer>, mac: string) => Promise<boolean>;

/**
 * CPace's inputs (docs/security.md, "Password"): the password-related string holds the link's proof key and the
 * password, so neither alone will do; the channel identifier binds both fingerprints and the room; the nonces
 * make the session id. The receiver sends first, so it is CPace's initiator.
 */
function cpaceInputs(keys: LinkKeys, password: string, t: TranscriptFields) {
  return {
    prs: lvCat(keys.proofKey, utf8(password.normalize('NFC'))),
    ci: lvCat(utf8('dropline cpace v1'), utf8(t.room), utf8(t.senderFingerprint), utf8(t.receiverFingerprint)),
    sid: lvCat(utf8(t.senderNonce), utf8(t.receiverNonce)),
  };
}

async function provePasswordAsSender(inbox: Inbox, o: HandshakeOptions, t: TranscriptFields, send: Send, sendProof: SendProof, peerProves: PeerProves, step: number) {
  if (!o.password || !o.tries) throw new Error('a password share needs its password and a try counter');
  for (;;) {
    const pake = await inbox.expect('pake', PASSWORD_TIMEOUT_MS);
    if (!o.tries.take()) throw new HandshakeError('locked', false);
    const run = cpaceStart({ ...cpaceInputs(o.keys, o.password, t), ad: utf8('sender') });
    const key = await passwordProofKey(finishCpace(run, pake.share, 'responder'));
    send({ type: 'pake', share: base64url.encode(run.share) });
    await sendProof(key);
    if (await peerProves(key, (await inbox.expect('auth', step)).mac)) {
      o.tries.giveBack();
      return key;
    }
    if (o.tries.left <= 0) throw new HandshakeError('locked', false);
    send({ type: 'retry', triesLeft: o.tries.left });
  }
}

async function provePasswordAsReceiver(inbox: Inbox, o: HandshakeOptions, t: TranscriptFields, send: Send, sendProof: SendProof, peerProves: PeerProves, step: number) {
  if (!o.askPassword) throw new HandshakeError('proof', false);
  let wrong: { triesLeft: number } | undefined;
  for (;;) {
    const password = await o.askPassword(wrong).catch(() => {
      throw new HandshakeError('gave-up', false);
    });
    const run = cpaceStart({ ...cpaceInputs(o.keys, password, t), ad: utf8('receiver') });
    send({ type: 'pake', share: base64url.encode(run.share) });
    const answer = await inbox.expect('pake', step);
    const key = await passwordProofKey(finishCpace(run, answer.share, 'initiator'));
    const senderProved = await peerProves(key, (await inbox.expect('auth', step)).mac);
    // Sent either way: the sender counts the try by it, and learns nothing about the password from a wrong one.
    await sendProof(key);
    if (senderProved) return key;
    wrong = { triesLeft: (await inbox.expect('retry', step)).triesLeft };
  }
}

function finishCpace(run: ReturnType<typeof cpaceStart>, share: string, role: 'initiator' | 'responder'): Uint8Array {
  try {
    return run.finish(base64url.decode(share), utf8(role === 'initiator' ? 'sender' : 'receiver'), role);
  } catch {
    throw new HandshakeError('protocol', false);
  }
}

/**
 * The handshake's view of the channel: messages queue here as they come, and the handshake takes them in
 * order. Once it is over, what it has not read (the sender's first transfer message may already be here) goes
 * back to the channel, ahead of anything later, for the transfer session.
 */
class Inbox {
  #raw: Array<string | ArrayBuffer> = [];
  #closed = false;
  #stopped = false;
  #wake: (() => void) | undefined;

  constructor(private readonly channel: TransferChannel) {
    channel.onMessage((data) => {
      this.#raw.push(data);
      this.#wake?.();
    });
    channel.onClose(() => {
      this.#closed = true;
      this.#wake?.();
    });
  }

  async expect<T extends HandshakeMessage['type']>(type: T, timeoutMs: number): Promise<Extract<HandshakeMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const raw = this.#raw.shift();
      if (raw !== undefined) {
        const message = parseHandshake(raw);
        // A peer of the first version sends its manifest straight away: say it speaks another version.
        if (!message) throw new HandshakeError(typeof raw === 'string' && raw.includes('"type":"manifest"') ? 'version' : 'protocol', false);
        if (message.type === 'refuse') throw new HandshakeError(message.code, true);
        if (message.type !== type) throw new HandshakeError('protocol', false);
        return message as Extract<HandshakeMessage, { type: T }>;
      }
      if (this.#closed || this.#stopped) throw new HandshakeError('closed', false);
      const left = deadline - Date.now();
      if (left <= 0) throw new HandshakeError('timeout', false);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** Resolves once the channel has closed or the peer has refused too, or after `timeoutMs`. */
  async peerDone(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const refused = () => this.#raw.some((raw) => parseHandshake(raw)?.type === 'refuse');
    while (!this.#closed && !refused() && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** Gives the channel back with whatever came after the handshake, unread, at the front. */
  handOver(): void {
    this.#stopped = true;
    this.channel.handOver(this.#raw.splice(0));
  }

  stop(): void {
    this.#stopped = true;
    this.#wake?.();
  }
}
