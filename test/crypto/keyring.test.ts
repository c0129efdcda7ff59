import { describe, expect, it } from 'vitest';
import { asKeyId, createKeyring } from '../../src/crypto/index.js';
import { codeOf, dataKey } from './support.js';

describe('keyring', () => {
  const a = dataKey('a', 1);
  const b = dataKey('b', 2);
  const c = dataKey('c', 3);
  const ring = createKeyring([
    { key: a, state: 'retired' },
    { key: b, state: 'decrypt-only' },
    { key: c, state: 'primary' },
  ]);

  it('gives the primary, keys by id, and its entries', () => {
    expect(ring.primary()).toBe(c);
    expect(ring.get(asKeyId('b'))).toBe(b);
    expect(ring.has(asKeyId('a'))).toBe(true);
    expect(ring.has(asKeyId('z'))).toBe(false);
    expect(ring.entries().map((e) => [e.key.id, e.state])).toEqual([
      ['a', 'retired'],
      ['b', 'decrypt-only'],
      ['c', 'primary'],
    ]);
  });

  it('distinguishes unknown from retired ids', () => {
    expect(codeOf(() => ring.get(asKeyId('z')))).toBe('ERR_CRYPTO_KEY_UNKNOWN');
    expect(codeOf(() => ring.get(asKeyId('a')))).toBe('ERR_CRYPTO_KEY_RETIRED');
  });

  it('requires exactly one primary and unique ids', () => {
    expect(codeOf(() => createKeyring([{ key: a, state: 'decrypt-only' }]))).toBe(
      'ERR_CRYPTO_ARGUMENT',
    );
    expect(
      codeOf(() =>
        createKeyring([
          { key: a, state: 'primary' },
          { key: b, state: 'primary' },
        ]),
      ),
    ).toBe('ERR_CRYPTO_ARGUMENT');
    expect(
      codeOf(() =>
        createKeyring([
          { key: a, state: 'primary' },
          { key: dataKey('a', 2), state: 'decrypt-only' },
        ]),
      ),
    ).toBe('ERR_CRYPTO_ARGUMENT');
  });

  it('accepts only keys made by createDataKey, and known states', () => {
    const fake = { id: asKeyId('f'), version: 1 };
    expect(codeOf(() => createKeyring([{ key: fake, state: 'primary' }]))).toBe(
      'ERR_CRYPTO_ARGUMENT',
    );
    const state = 'active' as unknown as 'primary';
    expect(codeOf(() => createKeyring([{ key: a, state }]))).toBe('ERR_CRYPTO_ARGUMENT');
  });

  it('validates key ids, versions and material', () => {
    for (const id of ['', 'a'.repeat(65), 'a b', 'a/b', 'ä'])
      expect(codeOf(() => asKeyId(id))).toBe('ERR_CRYPTO_ARGUMENT');
    expect(asKeyId('A-z_0.9')).toBe('A-z_0.9');
    expect(codeOf(() => dataKey('k', 0))).toBe('ERR_CRYPTO_ARGUMENT');
    expect(codeOf(() => dataKey('k', 1.5))).toBe('ERR_CRYPTO_ARGUMENT');
    expect(codeOf(() => dataKey('k', 1, new Uint8Array(16)))).toBe('ERR_CRYPTO_ARGUMENT');
  });
});
