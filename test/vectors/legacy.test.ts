// Legacy vectors (made with Python's cryptography, not our code): every valid one decodes, every
// invalid one is rejected with an error and returns nothing.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLegacyDecoder, decodeLegacy, TelvaultError } from '../../src/crypto/index.js';

interface LegacyVector {
  scheme: string;
  params: unknown;
  input: unknown;
  plaintext: string | null;
  valid: boolean;
  comment?: string;
}

const file = JSON.parse(
  readFileSync(new URL('../fixtures/legacy/legacy_vectors.json', import.meta.url), 'utf8'),
) as { vectors: LegacyVector[] };
const valid = file.vectors.filter((v) => v.valid);
const invalid = file.vectors.filter((v) => !v.valid);

function label(v: LegacyVector, i: number): string {
  return `#${i} ${v.scheme}${v.comment === undefined ? '' : ` (${v.comment})`}`;
}

describe('legacy vectors', () => {
  it('has 62 valid and 15 invalid vectors', () => {
    expect(valid.length).toBe(62);
    expect(invalid.length).toBe(15);
  });

  it.each(valid.map((v, i) => [label(v, i), v] as const))('decodes %s', (_label, v) => {
    expect(decodeLegacy(v.scheme, v.params, v.input)).toBe(v.plaintext);
  });

  it.each(invalid.map((v, i) => [label(v, i), v] as const))('rejects %s', (_label, v) => {
    let result: string | undefined;
    let error: unknown;
    try {
      result = decodeLegacy(v.scheme, v.params, v.input);
    } catch (caught) {
      error = caught;
    }
    expect(result).toBeUndefined();
    expect(error).toBeInstanceOf(TelvaultError);
    expect((error as TelvaultError).code).toMatch(/^ERR_LEGACY_/);
  });

  it('createLegacyDecoder decodes every valid vector of a parameter set with one decoder', () => {
    const byParams = new Map<string, LegacyVector[]>();
    for (const v of valid) {
      const key = JSON.stringify([v.scheme, v.params]);
      byParams.set(key, [...(byParams.get(key) ?? []), v]);
    }
    for (const group of byParams.values()) {
      const first = group[0];
      if (first === undefined) continue;
      const decoder = createLegacyDecoder(first.scheme, first.params);
      for (const v of group) expect(decoder.decode(v.input)).toBe(v.plaintext);
    }
  });
});
