import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeBlindIndex,
  createBlindIndexKey,
  createRateLimitKeyer,
} from '../../src/crypto/index.js';
import { codeOf } from './support.js';

const material = new Uint8Array(32).fill(3);
const v1 = createBlindIndexKey(1, material);

describe('blind index', () => {
  it('is deterministic and carries index and normalizer versions', () => {
    const index = computeBlindIndex(v1, '+61401148075', 2);
    expect(index).toMatch(/^bi1\.k1\.n2\.[A-Za-z0-9_-]{22}$/);
    expect(computeBlindIndex(createBlindIndexKey(1, material), '+61401148075', 2)).toBe(index);
  });

  it('differs by value, key material, key version and normalizer version', () => {
    const index = computeBlindIndex(v1, '+61401148075', 1);
    const mac = (s: string): string => s.split('.').at(-1) ?? '';
    expect(mac(computeBlindIndex(v1, '+61401148076', 1))).not.toBe(mac(index));
    expect(
      mac(computeBlindIndex(createBlindIndexKey(1, new Uint8Array(32).fill(4)), '+61401148075', 1)),
    ).not.toBe(mac(index));
    expect(computeBlindIndex(createBlindIndexKey(2, material), '+61401148075', 1)).not.toBe(index);
    expect(mac(computeBlindIndex(v1, '+61401148075', 2))).not.toBe(mac(index));
  });

  it('never coincides with the rate-limit key of the same value and material', () => {
    const keyer = createRateLimitKeyer(material);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const bi = computeBlindIndex(v1, value, 1).split('.').at(-1);
        const rl = keyer.key(value).split('.').at(-1);
        expect(rl).not.toBe(bi);
      }),
      { numRuns: 200 },
    );
  });

  it('validates its arguments', () => {
    expect(codeOf(() => createBlindIndexKey(0, material))).toBe('ERR_CRYPTO_ARGUMENT');
    expect(codeOf(() => createBlindIndexKey(1, new Uint8Array(31)))).toBe('ERR_CRYPTO_ARGUMENT');
    expect(codeOf(() => computeBlindIndex(v1, 'x', 0))).toBe('ERR_CRYPTO_ARGUMENT');
    expect(codeOf(() => computeBlindIndex({ version: 1 }, 'x', 1))).toBe('ERR_CRYPTO_ARGUMENT');
    expect(JSON.stringify(v1)).toBe('{"version":1}');
  });
});

describe('rate-limit keys', () => {
  it('are deterministic per system key and never the raw value', () => {
    const keyer = createRateLimitKeyer(material);
    expect(keyer.key('+61401148075')).toMatch(/^rl1\.[A-Za-z0-9_-]{22}$/);
    expect(keyer.key('+61401148075')).toBe(createRateLimitKeyer(material).key('+61401148075'));
    expect(keyer.key('+61401148075')).not.toBe(
      createRateLimitKeyer(new Uint8Array(32)).key('+61401148075'),
    );
  });
});
