import { describe, expect, test } from 'vitest';
import { sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import {
  CpaceError,
  cpaceGenerator,
  cpaceStart,
  generatorString,
  lvCat,
  prependLen,
  scalarMultVfy,
  transcriptIr,
} from '../../web/src/net/handshake/cpace.ts';

// Published vectors of draft-irtf-cfrg-cpace-21, copied line by line as the
// draft prints them (the draft's repository cfrg/draft-irtf-cfrg-cpace,
// draft-irtf-cfrg-cpace-21/draft-irtf-cfrg-cpace.txt).
const hex = (...lines: string[]): string => lines.join('');
const bytes = (...lines: string[]): Uint8Array => hexToBytes(hex(...lines));
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('string utilities (Appendix A)', () => {
  test('prepend_len vectors (A.1.2)', () => {
    expect(bytesToHex(prependLen(ascii('')))).toBe('00');
    expect(bytesToHex(prependLen(ascii('1234')))).toBe('0431323334');
    const range = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i);
    expect(bytesToHex(prependLen(range(127)))).toBe(
      hex(
        '7f000102030405060708090a0b0c0d0e0f101112131415161718191a1b',
        '1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738',
        '393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455',
        '565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172',
        '737475767778797a7b7c7d7e',
      ),
    );
    expect(bytesToHex(prependLen(range(128)))).toBe(
      hex(
        '8001000102030405060708090a0b0c0d0e0f101112131415161718191a',
        '1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637',
        '38393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f5051525354',
        '55565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f7071',
        '72737475767778797a7b7c7d7e7f',
      ),
    );
  });

  test('lv_cat vector (A.1.4)', () => {
    expect(bytesToHex(lvCat(ascii('1234'), ascii('5'), ascii(''), ascii('678')))).toBe('043132333401350003363738');
  });

  test('transcript_ir vectors (A.3.5)', () => {
    expect(bytesToHex(transcriptIr(ascii('123'), ascii('PartyA'), ascii('234'), ascii('PartyB')))).toBe(
      '03313233065061727479410332333406506172747942',
    );
    expect(bytesToHex(transcriptIr(ascii('3456'), ascii('PartyA'), ascii('2345'), ascii('PartyB')))).toBe(
      '043334353606506172747941043233343506506172747942',
    );
  });
});

describe('CPACE-RISTR255-SHA512 vectors (Appendix B.3)', () => {
  const PRS = ascii('Password');
  const CI = bytes('0b415f696e69746961746f720b425f726573706f6e646572');
  const SID = bytes('7e4b4791d6a8ef019b936c79fb7f2c57');
  const ADA = ascii('ADa');
  const ADB = ascii('ADb');
  const YA_SCALAR = bytes('da3d23700a9e5699258aef94dc060dfda5ebb61f02a5ea77fad53f4f', 'f0976d08');
  const YB_SCALAR = bytes('d2316b454718c35362d83d69df6320f38578ed5984651435e2949762', 'd900b80d');
  const YA = hex('d6bac480f2c386c394efc7c47adb9925dcd2630b64f240c50f8d0eec', '482b9157');
  const YB = hex('3ea7e0b19560d7c0b0f5734f63b955286dfa8232b5ebe63324e2d9e7', '433f7258');
  const K = hex('80b69a8a76457ab6a4d7f887a4bf6b55a2f80ac19c333f917a05fc98', '87c8b40f');
  const ISK_IR = hex(
    'b69effbf61b51d56401c0f65601abe428de8206feaaf0e32198896dc',
    'ae7b35cd2b38950a39dfd5d4a79164614c2984f7daa460b588c1e80c',
    '3fa2068af7900447',
  );

  test('generator string, its hash and generator g (B.3.1)', () => {
    const genStr = generatorString(PRS, CI, SID);
    expect(bytesToHex(genStr)).toBe(
      hex(
        '11435061636552697374726574746f3235350850617373776f726464',
        '00000000000000000000000000000000000000000000000000000000',
        '00000000000000000000000000000000000000000000000000000000',
        '00000000000000000000000000000000000000000000000000000000',
        '00000000000000000000000000000000180b415f696e69746961746f',
        '720b425f726573706f6e646572107e4b4791d6a8ef019b936c79fb7f',
        '2c57',
      ),
    );
    expect(genStr.length).toBe(170);
    expect(bytesToHex(sha512(genStr))).toBe(
      hex(
        'da6d3ddc8802fca9058755ffd3ebde08a9c2c74945901a258482a288',
        'b6663af06bf645c93cd1c51512307199c80e84908916d983b34af772',
        '05f90851a657ee27',
      ),
    );
    expect(bytesToHex(cpaceGenerator(PRS, CI, SID).toBytes())).toBe(
      hex('222b6b195fe84b1652badb6f6a3ae3d24341e7306967f0b8115b40d5', '698c7e56'),
    );
  });

  test('shares Ya and Yb from ya and yb (B.3.2, B.3.3)', () => {
    expect(bytesToHex(cpaceStart({ prs: PRS, ci: CI, sid: SID, ad: ADA, scalar: YA_SCALAR }).share)).toBe(YA);
    expect(bytesToHex(cpaceStart({ prs: PRS, ci: CI, sid: SID, ad: ADB, scalar: YB_SCALAR }).share)).toBe(YB);
  });

  test('secret point K on both sides (B.3.4)', () => {
    expect(bytesToHex(scalarMultVfy(YA_SCALAR, hexToBytes(YB)))).toBe(K);
    expect(bytesToHex(scalarMultVfy(YB_SCALAR, hexToBytes(YA)))).toBe(K);
  });

  test('ISK preimage for the initiator-responder transcript (B.3.5)', () => {
    const transcript = transcriptIr(hexToBytes(YA), ADA, hexToBytes(YB), ADB);
    expect(bytesToHex(transcript)).toBe(
      hex(
        '20d6bac480f2c386c394efc7c47adb9925dcd2630b64f240c50f8d0e',
        'ec482b915703414461203ea7e0b19560d7c0b0f5734f63b955286dfa',
        '8232b5ebe63324e2d9e7433f725803414462',
      ),
    );
    const preimage = concatBytes(lvCat(ascii('CPaceRistretto255_ISK'), SID, hexToBytes(K)), transcript);
    expect(bytesToHex(preimage)).toBe(
      hex(
        '15435061636552697374726574746f3235355f49534b107e4b4791d6',
        'a8ef019b936c79fb7f2c572080b69a8a76457ab6a4d7f887a4bf6b55',
        'a2f80ac19c333f917a05fc9887c8b40f20d6bac480f2c386c394efc7',
        'c47adb9925dcd2630b64f240c50f8d0eec482b915703414461203ea7',
        'e0b19560d7c0b0f5734f63b955286dfa8232b5ebe63324e2d9e7433f',
        '725803414462',
      ),
    );
    expect(bytesToHex(sha512(preimage))).toBe(ISK_IR);
  });

  test('ISK_IR from both parties (B.3.5)', () => {
    const a = cpaceStart({ prs: PRS, ci: CI, sid: SID, ad: ADA, scalar: YA_SCALAR });
    const b = cpaceStart({ prs: PRS, ci: CI, sid: SID, ad: ADB, scalar: YB_SCALAR });
    expect(bytesToHex(a.finish(hexToBytes(YB), ADB, 'initiator'))).toBe(ISK_IR);
    expect(bytesToHex(b.finish(hexToBytes(YA), ADA, 'responder'))).toBe(ISK_IR);
  });

  test('scalar_mult_vfy with a valid input (B.3.10)', () => {
    const s = bytes('7cd0e075fa7955ba52c02759a6c90dbbfc10e6d40aea8d283e407d88', 'cf538a05');
    const x = bytes('2c3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d6', '54b4a51c');
    expect(bytesToHex(scalarMultVfy(s, x))).toBe(
      hex('7c13645fe790a468f62c39beb7388e541d8405d1ade69d1778c5fe3e', '7f6b600e'),
    );
  });

  test('scalar_mult_vfy returns G.I for invalid inputs (B.3.11)', () => {
    const s = bytes('7cd0e075fa7955ba52c02759a6c90dbbfc10e6d40aea8d283e407d88', 'cf538a05');
    const identity = hex('00000000000000000000000000000000000000000000000000000000', '00000000');
    const yI1 = bytes('2b3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d6', '54b4a51c');
    expect(bytesToHex(scalarMultVfy(s, yI1))).toBe(identity);
    expect(bytesToHex(scalarMultVfy(s, hexToBytes(identity)))).toBe(identity);
  });
});

// Same algorithm, different CI input: draft-14 ordered the party names with
// o_cat. Matching a second, independent vector set guards against a lucky fit.
// (draft-irtf-cfrg-cpace-14/draft-irtf-cfrg-cpace.txt, Appendix B.3.)
test('draft-14 ristretto255 vectors (B.3, CI = oc-ordered names)', () => {
  const PRS = ascii('Password');
  const CI = bytes('6f630b425f726573706f6e6465720b415f696e69746961746f72');
  const SID = bytes('7e4b4791d6a8ef019b936c79fb7f2c57');
  const ya = bytes('da3d23700a9e5699258aef94dc060dfda5ebb61f02a5ea77fad53f4f', 'f0976d08');
  const yb = bytes('d2316b454718c35362d83d69df6320f38578ed5984651435e2949762', 'd900b80d');
  expect(bytesToHex(cpaceGenerator(PRS, CI, SID).toBytes())).toBe(
    hex('a6fc82c3b8968fbb2e06fee81ca858586dea50d248f0c7ca6a18b090', '2a30b36b'),
  );
  const a = cpaceStart({ prs: PRS, ci: CI, sid: SID, ad: ascii('ADa'), scalar: ya });
  const b = cpaceStart({ prs: PRS, ci: CI, sid: SID, ad: ascii('ADb'), scalar: yb });
  expect(bytesToHex(a.share)).toBe(hex('d40fb265a7abeaee7939d91a585fe59f7053f982c296ec413c624c66', '9308f87a'));
  expect(bytesToHex(b.share)).toBe(hex('08bcf6e9777a9c313a3db6daa510f2d398403319c2341bd506a92e67', '2eb7e307'));
  expect(bytesToHex(scalarMultVfy(ya, b.share))).toBe(
    hex('e22b1ef7788f661478f3cddd4c600774fc0f41e6b711569190ff88fa', '0e607e09'),
  );
  const isk = hex(
    '4c5469a16b2364c4b944ebc1a79e51d1674ad47db26e8718154f59fa',
    'ebfaa52d8346f30aa58377117eb20d527f2cbc5c76381f7fd372e89d',
    'f8239f87f2e02ed1',
  );
  expect(bytesToHex(a.finish(b.share, ascii('ADb'), 'initiator'))).toBe(isk);
  expect(bytesToHex(b.finish(a.share, ascii('ADa'), 'responder'))).toBe(isk);
});

describe('protocol behaviour', () => {
  const CI = ascii('dropline-test-ci');
  const SID = hexToBytes('00112233445566778899aabbccddeeff');
  const ADA = ascii('sender');
  const ADB = ascii('receiver');

  function run(prsA: string, prsB: string): { a: Uint8Array; b: Uint8Array } {
    const a = cpaceStart({ prs: ascii(prsA), ci: CI, sid: SID, ad: ADA });
    const b = cpaceStart({ prs: ascii(prsB), ci: CI, sid: SID, ad: ADB });
    return { a: a.finish(b.share, ADB, 'initiator'), b: b.finish(a.share, ADA, 'responder') };
  }

  test('two random runs with the same password agree on a 64-byte ISK', () => {
    const first = run('correct horse', 'correct horse');
    expect(first.a).toHaveLength(64);
    expect(bytesToHex(first.a)).toBe(bytesToHex(first.b));
    // Fresh scalars each run: same inputs, different key.
    const second = run('correct horse', 'correct horse');
    expect(bytesToHex(second.a)).not.toBe(bytesToHex(first.a));
  });

  test('random scalars give distinct shares', () => {
    const opts = { prs: ascii('pw'), ci: CI, sid: SID, ad: ADA };
    expect(bytesToHex(cpaceStart(opts).share)).not.toBe(bytesToHex(cpaceStart(opts).share));
  });

  test('a wrong password gives different ISKs', () => {
    const { a, b } = run('correct horse', 'correct horsf');
    expect(bytesToHex(a)).not.toBe(bytesToHex(b));
  });

  test('disagreeing on roles or on associated data gives different ISKs', () => {
    const a = cpaceStart({ prs: ascii('pw'), ci: CI, sid: SID, ad: ADA });
    const b = cpaceStart({ prs: ascii('pw'), ci: CI, sid: SID, ad: ADB });
    expect(bytesToHex(a.finish(b.share, ADB, 'initiator'))).not.toBe(bytesToHex(b.finish(a.share, ADA, 'initiator')));

    const c = cpaceStart({ prs: ascii('pw'), ci: CI, sid: SID, ad: ADA });
    const d = cpaceStart({ prs: ascii('pw'), ci: CI, sid: SID, ad: ADB });
    expect(bytesToHex(c.finish(d.share, ascii('tampered'), 'initiator'))).not.toBe(
      bytesToHex(d.finish(c.share, ADA, 'responder')),
    );
  });

  test('an invalid encoding is rejected', () => {
    // B.3.11 Y_i1: one bit away from a valid point, not a ristretto255 encoding.
    const invalid = bytes('2b3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d6', '54b4a51c');
    const session = () => cpaceStart({ prs: ascii('pw'), ci: CI, sid: SID, ad: ADA });
    expect(() => session().finish(invalid, ADB, 'initiator')).toThrow(CpaceError);
    expect(() => session().finish(invalid, ADB, 'initiator')).toThrow(/not a valid ristretto255 encoding/);
    expect(() => session().finish(new Uint8Array(31).fill(1), ADB, 'initiator')).toThrow(CpaceError);
    // Non-canonical: p = 2^255 - 19 encoded little-endian is >= the field prime.
    const nonCanonical = bytes('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
    expect(() => session().finish(nonCanonical, ADB, 'initiator')).toThrow(CpaceError);
  });

  test('the identity element is rejected (K = G.I aborts)', () => {
    const identity = new Uint8Array(32);
    const session = cpaceStart({ prs: ascii('pw'), ci: CI, sid: SID, ad: ADA });
    expect(() => session.finish(identity, ADB, 'responder')).toThrow(CpaceError);
    const again = cpaceStart({ prs: ascii('pw'), ci: CI, sid: SID, ad: ADA });
    expect(() => again.finish(identity, ADB, 'responder')).toThrow(/identity/);
  });

  test('a session finishes once: the scalar is not reused', () => {
    const a = cpaceStart({ prs: ascii('pw'), ci: CI, sid: SID, ad: ADA });
    const b = cpaceStart({ prs: ascii('pw'), ci: CI, sid: SID, ad: ADB });
    a.finish(b.share, ADB, 'initiator');
    expect(() => a.finish(b.share, ADB, 'initiator')).toThrow(CpaceError);
  });
});
