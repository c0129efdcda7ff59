// A legacy key is derived once per (scheme, params), not once per value.
import * as nodeCrypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { createLegacyDecoder, decodeLegacy } from '../../src/crypto/index.js';

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof nodeCrypto>();
  return { ...original, pbkdf2Sync: vi.fn(original.pbkdf2Sync) };
});

const params = {
  secret: 'dev-encryption-key-please-change-0001',
  salt: 'exotel-encryption-salt',
  iterations: 1000,
};
function sealLegacy(value: string): string {
  const key = nodeCrypto.pbkdf2Sync(params.secret, params.salt, params.iterations, 32, 'sha256');
  const iv = nodeCrypto.randomBytes(16);
  const cipher = nodeCrypto.createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return `${iv.toString('hex')}:${ct.toString('hex')}:${cipher.getAuthTag().toString('hex')}`;
}

describe('legacy key derivation', () => {
  const values = Array.from({ length: 50 }, (_, i) => `value-${i}`);
  const stored = values.map(sealLegacy);
  const pbkdf2 = vi.mocked(nodeCrypto.pbkdf2Sync);

  it('decodeLegacy derives once for many values with the same params', () => {
    pbkdf2.mockClear();
    expect(stored.map((s) => decodeLegacy('gcm-hex-pbkdf2', { ...params }, s))).toEqual(values);
    expect(pbkdf2).toHaveBeenCalledTimes(1);
  });

  it('createLegacyDecoder derives once, up front', () => {
    pbkdf2.mockClear();
    const decoder = createLegacyDecoder('gcm-hex-pbkdf2', params);
    expect(stored.map((s) => decoder.decode(s))).toEqual(values);
    expect(pbkdf2).toHaveBeenCalledTimes(1);
  });

  it('keeps the cache bounded', () => {
    pbkdf2.mockClear();
    for (let i = 0; i < 40; i++) {
      expect(() =>
        decodeLegacy('gcm-hex-pbkdf2', { ...params, salt: `salt-${i}` }, stored[0] ?? ''),
      ).toThrow();
    }
    // The first parameter set was evicted by the 40 others and is derived again.
    decodeLegacy('gcm-hex-pbkdf2', params, stored[0] ?? '');
    expect(pbkdf2).toHaveBeenCalledTimes(41);
  });
});
