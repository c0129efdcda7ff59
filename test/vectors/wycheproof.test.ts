// Wycheproof vectors through the exact primitives the envelope, key wrapping and subkeys use.
import { createSecretKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { gcmOpen, gcmSeal } from '../../src/crypto/aes-gcm.js';
import { hkdfSha256, hmacSha256 } from '../../src/crypto/hkdf/subkeys.js';
import { TelvaultError } from '../../src/crypto/errors.js';
import { hex, loadWycheproof, type WycheproofFile } from './shared-vectors.js';

interface AeadTest {
  tcId: number;
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface HkdfTest {
  tcId: number;
  ikm: string;
  salt: string;
  info: string;
  size: number;
  okm: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface MacTest {
  tcId: number;
  key: string;
  msg: string;
  tag: string;
  result: 'valid' | 'invalid' | 'acceptable';
}

const gcm = loadWycheproof('aes_gcm_test.json') as WycheproofFile<AeadTest> | undefined;
const hkdf = loadWycheproof('hkdf_sha256_test.json') as WycheproofFile<HkdfTest> | undefined;
const hmac = loadWycheproof('hmac_sha256_test.json') as WycheproofFile<MacTest> | undefined;

describe.skipIf(gcm === undefined)('Wycheproof AES-GCM (256-bit key, 96-bit IV)', () => {
  const groups = (gcm?.testGroups ?? []).filter((g) => g['keySize'] === 256 && g['ivSize'] === 96);
  const tests = groups.flatMap((g) =>
    g.tests.map((t) => ({ ...t, tagSize: g['tagSize'] as number })),
  );

  it('selects the 256-bit-key, 96-bit-IV vectors (valid and invalid)', () => {
    expect(tests.filter((t) => t.result === 'valid').length).toBe(39);
    expect(tests.filter((t) => t.result === 'invalid').length).toBe(27);
  });

  it.each(tests.map((t) => [t.tcId, t] as const))('tcId %i', (_id, t) => {
    const key = createSecretKey(hex(t.key));
    const open = (): Buffer => gcmOpen(key, hex(t.iv), hex(t.ct), hex(t.tag), hex(t.aad));
    if (t.result === 'valid') {
      expect(open().toString('hex')).toBe(t.msg);
      expect(gcmSeal(key, hex(t.iv), hex(t.msg), hex(t.aad)).toString('hex')).toBe(t.ct + t.tag);
    } else {
      // `acceptable` does not occur in these groups; anything not valid must be rejected.
      expect(open).toThrow(TelvaultError);
      expect(open).toThrow('decryption failed');
    }
  });

  it('rejects tags that are not exactly 16 bytes, even when they are a valid prefix', () => {
    const t = tests.find((v) => v.result === 'valid' && v.msg.length > 0);
    if (t === undefined) throw new Error('no valid vector');
    const key = createSecretKey(hex(t.key));
    for (const bytes of [0, 4, 8, 12, 13, 15]) {
      const tag = hex(t.tag).subarray(0, bytes);
      expect(() => gcmOpen(key, hex(t.iv), hex(t.ct), tag, hex(t.aad))).toThrow(
        'decryption failed',
      );
    }
    const long = Buffer.concat([hex(t.tag), Buffer.of(0)]);
    expect(() => gcmOpen(key, hex(t.iv), hex(t.ct), long, hex(t.aad))).toThrow('decryption failed');
  });
});

describe.skipIf(hkdf === undefined)('Wycheproof HKDF-SHA256', () => {
  const tests = (hkdf?.testGroups ?? []).flatMap((g) => g.tests);

  it('has every vector of the file', () => {
    expect(tests.length).toBe(hkdf?.numberOfTests);
  });

  it.each(tests.map((t) => [t.tcId, t] as const))('tcId %i', (_id, t) => {
    const derive = (): Buffer => hkdfSha256(hex(t.ikm), hex(t.salt), hex(t.info), t.size);
    if (t.result === 'valid') expect(derive().toString('hex')).toBe(t.okm);
    else expect(derive).toThrow(); // output longer than 255 * HashLen
  });
});

describe.skipIf(hmac === undefined)('Wycheproof HMAC-SHA256', () => {
  const tests = (hmac?.testGroups ?? []).flatMap((g) =>
    g.tests.map((t) => ({ ...t, tagBytes: (g['tagSize'] as number) / 8 })),
  );

  it('has every vector of the file', () => {
    expect(tests.length).toBe(hmac?.numberOfTests);
  });

  it.each(tests.map((t) => [t.tcId, t] as const))('tcId %i', (_id, t) => {
    // Truncated-tag groups compare the leading bytes, as our 128-bit blind index does.
    const mac = hmacSha256(hex(t.key), hex(t.msg)).subarray(0, t.tagBytes).toString('hex');
    expect(mac === t.tag).toBe(t.result === 'valid');
  });
});
