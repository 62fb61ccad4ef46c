import { createHmac } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { lvCat } from '../../web/src/net/handshake/cpace.ts';
import { authenticate, HandshakeError, isRefusal, type HandshakeOptions, type PasswordTries } from '../../web/src/net/handshake/handshake.ts';
import { deriveLinkKeys } from '../../web/src/net/handshake/link-keys.ts';
import { checkProof, makeProof, type TranscriptFields } from '../../web/src/net/handshake/proof.ts';
import { SendSession } from '../../web/src/transfer/sender.ts';
import { fakeChannelPair, type FakeChannelEnd } from '../support/fake-channel.ts';
import { outgoing, randomFile } from '../support/transfer-harness.ts';

const ROOM = 'RRRRRRRRRRRRRRRRRRRRRR';
const SECRET = 'c2VjcmV0LXNlY3JldC0xMg';
const SENDER_FP = `sha-256 ${'AB:'.repeat(31)}AB`;
const RECEIVER_FP = `sha-256 ${'CD:'.repeat(31)}CD`;

const utf8 = (text: string) => new TextEncoder().encode(text);

const fields: TranscriptFields = {
  version: 2,
  room: ROOM,
  mode: 'link',
  senderFingerprint: SENDER_FP,
  receiverFingerprint: RECEIVER_FP,
  senderNonce: 'AAAAAAAAAAAAAAAAAAAAAA',
  receiverNonce: 'BBBBBBBBBBBBBBBBBBBBBB',
};

describe('the proof transcript', () => {
  const key = new Uint8Array(32).fill(7);

  test('is HMAC-SHA-256 over the prover role, then every shared field, each length-prefixed', async () => {
    const shared = lvCat(
      ...['dropline transcript v1', '2', 'link', ROOM, SENDER_FP, RECEIVER_FP, fields.senderNonce, fields.receiverNonce].map(utf8),
    );
    const expected = createHmac('sha256', key).update(lvCat(utf8('proof by sender'), shared)).digest();
    expect(Buffer.from(await makeProof(key, 'sender', fields))).toEqual(expected);
  });

  test('a proof checks only for its role and its exact connection', async () => {
    const proof = new Uint8Array(await makeProof(key, 'receiver', fields));
    expect(await checkProof(key, 'receiver', fields, proof)).toBe(true);
    expect(await checkProof(key, 'sender', fields, proof)).toBe(false);
    const changes: Array<Partial<TranscriptFields>> = [
      { version: 3 },
      { room: 'SSSSSSSSSSSSSSSSSSSSSS' },
      { mode: 'password' },
      { senderFingerprint: RECEIVER_FP },
      { receiverFingerprint: SENDER_FP },
      { senderNonce: 'CCCCCCCCCCCCCCCCCCCCCC' },
      { receiverNonce: 'CCCCCCCCCCCCCCCCCCCCCC' },
    ];
    for (const change of changes) expect(await checkProof(key, 'receiver', { ...fields, ...change }, proof), JSON.stringify(change)).toBe(false);
    expect(await checkProof(new Uint8Array(32).fill(8), 'receiver', fields, proof)).toBe(false);
  });
});

interface Side {
  end: FakeChannelEnd;
  options: HandshakeOptions;
}

async function sides(
  overrides: { sender?: Partial<HandshakeOptions>; receiver?: Partial<HandshakeOptions>; receiverSecret?: string; receiverSees?: string } = {},
): Promise<{ sender: Side; receiver: Side }> {
  const [senderEnd, receiverEnd] = fakeChannelPair();
  return {
    sender: {
      end: senderEnd,
      options: { role: 'sender', room: ROOM, keys: await deriveLinkKeys(ROOM, SECRET), fingerprints: { local: SENDER_FP, remote: RECEIVER_FP }, ...overrides.sender },
    },
    receiver: {
      end: receiverEnd,
      options: {
        role: 'receiver',
        room: ROOM,
        keys: await deriveLinkKeys(ROOM, overrides.receiverSecret ?? SECRET),
        // What a relay in the middle changes: the sender this receiver sees is the relay.
        fingerprints: { local: RECEIVER_FP, remote: overrides.receiverSees ?? SENDER_FP },
        ...overrides.receiver,
      },
    },
  };
}

const both = (s: { sender: Side; receiver: Side }) =>
  Promise.allSettled([authenticate(s.sender.end, s.sender.options), authenticate(s.receiver.end, s.receiver.options)]);

const codeOf = (result: PromiseSettledResult<unknown>): string =>
  result.status === 'rejected' && result.reason instanceof HandshakeError ? `${result.reason.code}${result.reason.byPeer ? ' (peer)' : ''}` : `not refused: ${JSON.stringify(result)}`;

/** Every message type that crossed, both ways. */
const typesSent = (end: FakeChannelEnd): string[] => end.sent.map((m) => (typeof m === 'string' ? (JSON.parse(m) as { type: string }).type : 'binary'));

describe('the handshake', () => {
  test('with the whole link, both sides are proven and show the same six-digit code', async () => {
    const s = await sides();
    const [sent, received] = await both(s);
    if (sent.status !== 'fulfilled' || received.status !== 'fulfilled') throw new Error(`refused: ${codeOf(sent)}, ${codeOf(received)}`);
    expect(sent.value.verificationCode).toMatch(/^\d{3} \d{3}$/);
    expect(received.value.verificationCode).toBe(sent.value.verificationCode);
    expect(sent.value).toMatchObject({ version: 2, mode: 'link' });
  });

  test('a wrong secret is refused at both ends, with nothing but hellos, proofs and a refusal on the wire', async () => {
    const s = await sides({ receiverSecret: 'd3JvbmctLXdyb25nLS13cg' });
    const [sent, received] = await both(s);
    expect(codeOf(sent)).toMatch(/^proof/);
    expect(codeOf(received)).toMatch(/^proof/);
    for (const end of [s.sender.end, s.receiver.end]) expect(typesSent(end).every((t) => ['hello', 'auth', 'refuse'].includes(t))).toBe(true);
    expect(s.sender.end.isOpen).toBe(false);
  });

  test('a relay that terminates DTLS itself (other fingerprints) is refused, even with the right secret', async () => {
    const s = await sides({ receiverSees: `sha-256 ${'EE:'.repeat(31)}EE` });
    const [sent, received] = await both(s);
    expect(codeOf(sent)).toMatch(/^proof/);
    expect(codeOf(received)).toMatch(/^proof/);
  });

  test('peers with no version in common both say so', async () => {
    const s = await sides({ receiver: { versions: [3] } });
    const [sent, received] = await both(s);
    expect(codeOf(sent)).toMatch(/^version/);
    expect(codeOf(received)).toMatch(/^version/);
  });

  test('a peer of the first version, which sends its manifest at once, is told it speaks another version', async () => {
    const s = await sides();
    const sender = authenticate(s.sender.end, s.sender.options);
    s.receiver.end.send(JSON.stringify({ type: 'manifest', version: 1, transferId: 'AAAAAAAAAAAAAAAAAAAAAA', chunkSize: 4096, files: [] }));
    await expect(sender).rejects.toMatchObject({ code: 'version', byPeer: false });
  });

  test('garbage before the hello is refused as a protocol error, and the channel closes', async () => {
    const s = await sides();
    const sender = authenticate(s.sender.end, s.sender.options);
    s.receiver.end.send('{"type":"hello","versions":"all"}');
    await expect(sender).rejects.toMatchObject({ code: 'protocol' });
    // Out of place is not final: the next connection tries again (only a failed proof, no common version, no
    // tries left or no password end an attempt for good).
    expect(isRefusal(await sender.catch((error: unknown) => error))).toBe(false);
    expect(isRefusal(new HandshakeError('proof', true))).toBe(true);
    expect(s.sender.end.isOpen).toBe(false);
  });

  test('a channel whose sends fail while it still reads open (its connection is going away) is lost, not a refusal', async () => {
    const [senderEnd] = fakeChannelPair({ tornDown: true });
    const s = await sides();
    await expect(authenticate(senderEnd, s.sender.options)).rejects.toMatchObject({ code: 'closed', byPeer: false });
    expect(isRefusal(await authenticate(senderEnd, s.sender.options).catch((error: unknown) => error))).toBe(false);
  });

  test('what the sender sends right after its proof reaches the session that takes the channel next', async () => {
    const s = await sides();
    const [sent, received] = await both(s);
    expect([sent.status, received.status]).toEqual(['fulfilled', 'fulfilled']);
    s.sender.end.send('first transfer message');
    s.sender.end.send('second');
    const got: Array<string | ArrayBuffer> = [];
    await new Promise<void>((resolve) => {
      s.receiver.end.onMessage((m) => {
        got.push(m);
        if (got.length === 2) resolve();
      });
    });
    expect(got).toEqual(['first transfer message', 'second']);
  });

  test('a receiver that fails the proof never sees a manifest: the sender starts its session only once proven', async () => {
    const s = await sides({ receiverSecret: '' });
    const file = randomFile('secret-plans.pdf', 10_000);
    const sender = authenticate(s.sender.end, s.sender.options).then(() => {
      new SendSession(s.sender.end, [outgoing(file.name, file.data)], { transferId: 'AAAAAAAAAAAAAAAAAAAAAA', chunkSize: 4096 }, () => {}).start();
    });
    const receiver = authenticate(s.receiver.end, s.receiver.options);
    await Promise.allSettled([sender, receiver]);
    await expect(sender).rejects.toBeInstanceOf(HandshakeError);
    expect(typesSent(s.sender.end)).not.toContain('manifest');
    expect(s.sender.end.sent.join('')).not.toContain('secret-plans');
  });
});

class Tries implements PasswordTries {
  constructor(public left: number) {}
  take(): boolean {
    if (this.left <= 0) return false;
    this.left--;
    return true;
  }
  giveBack(): void {
    this.left++;
  }
}

describe('a share with a password (CPace)', () => {
  const withPassword = (answers: string[], tries = new Tries(5)) => {
    const asked: Array<{ triesLeft: number } | undefined> = [];
    return {
      asked,
      overrides: {
        sender: { password: 'correct horse', tries },
        receiver: {
          askPassword: async (wrong: { triesLeft: number } | undefined) => {
            asked.push(wrong);
            const answer = answers.shift();
            if (answer === undefined) throw new Error('the person gave up');
            return answer;
          },
        },
      },
    };
  };

  test('the right password proves both sides, with equal codes; the password never crosses the wire', async () => {
    const { overrides } = withPassword(['correct horse']);
    const s = await sides(overrides);
    const [sent, received] = await both(s);
    if (sent.status !== 'fulfilled' || received.status !== 'fulfilled') throw new Error(`refused: ${codeOf(sent)}, ${codeOf(received)}`);
    expect(sent.value).toMatchObject({ mode: 'password' });
    expect(received.value.verificationCode).toBe(sent.value.verificationCode);
    const wire = [...s.sender.end.sent, ...s.receiver.end.sent].join('\n');
    for (const form of ['correct horse', Buffer.from('correct horse').toString('base64'), Buffer.from('correct horse').toString('hex')]) expect(wire).not.toContain(form);
  });

  test('a wrong password is refused, says how many tries are left, and the right one then goes through', async () => {
    const { overrides, asked } = withPassword(['wrong', 'correct horse']);
    const s = await sides(overrides);
    const [sent, received] = await both(s);
    expect([sent.status, received.status]).toEqual(['fulfilled', 'fulfilled']);
    expect(asked).toEqual([undefined, { triesLeft: 4 }]);
  });

  test('the whole link is needed too: the right password with a wrong secret is refused', async () => {
    const { overrides } = withPassword(['correct horse']);
    const s = await sides({ ...overrides, receiverSecret: 'd3JvbmctLXdyb25nLS13cg' });
    const [sent, received] = await both(s);
    expect(sent.status).toBe('rejected');
    expect(received.status).toBe('rejected');
  });

  test('after five wrong passwords the sender refuses that receiver', async () => {
    const { overrides, asked } = withPassword(Array(6).fill('guess'));
    const s = await sides(overrides);
    const [sent, received] = await both(s);
    expect(codeOf(sent)).toBe('locked');
    expect(codeOf(received)).toBe('locked (peer)');
    expect(asked).toEqual([undefined, { triesLeft: 4 }, { triesLeft: 3 }, { triesLeft: 2 }, { triesLeft: 1 }]);
    expect(typesSent(s.receiver.end).filter((t) => t === 'pake')).toHaveLength(5);
  });

  test('a receiver whose tries are used up elsewhere is refused at its first try', async () => {
    const { overrides } = withPassword(['correct horse'], new Tries(0));
    const s = await sides(overrides);
    const [sent, received] = await both(s);
    expect(codeOf(sent)).toBe('locked');
    expect(codeOf(received)).toBe('locked (peer)');
  });
});

describe('password tries', () => {
  test('five per receiver, twenty-five for the whole share; a try that proves the password is given back', async () => {
    const { ShareTries, TRIES_PER_RECEIVER, TRIES_PER_SHARE } = await import('../../web/src/net/handshake/password-tries.ts');
    const share = new ShareTries();
    const first = share.of('peer-1');
    for (let i = 0; i < TRIES_PER_RECEIVER; i++) expect(first.take()).toBe(true);
    expect(first.take()).toBe(false);
    expect(first.left).toBe(0);
    // The same receiver back on another connection has no more.
    expect(share.of('peer-1').take()).toBe(false);
    // A try that proved the password costs nothing.
    const honest = share.of('peer-2');
    expect(honest.take()).toBe(true);
    honest.giveBack();
    expect(honest.left).toBe(TRIES_PER_RECEIVER);
    // Guessers under ever new ids run into the share's own limit.
    let guesses = TRIES_PER_RECEIVER;
    for (let id = 3; guesses < TRIES_PER_SHARE + 10; id++) {
      const tries = share.of(`peer-${id}`);
      while (tries.take()) guesses++;
      if (tries.left === 0 && guesses >= TRIES_PER_SHARE) break;
    }
    expect(guesses).toBe(TRIES_PER_SHARE);
    expect(share.of('peer-honest-late').take()).toBe(false);
  });
});
