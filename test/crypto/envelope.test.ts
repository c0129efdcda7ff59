import fc from 'fast-check';
import { asTenantId } from '../../src/crypto/index.js';
import { describe, expect, it } from 'vitest';
import {
  createKeyring,
  envelopeKeyId,
  isEnvelope,
  openField,
  openFieldText,
  sealField,
  type EnvelopeContext,
} from '../../src/crypto/index.js';
import {
  baseContext,
  codeOf,
  CONTEXT_FIELDS,
  contextArb,
  dataKey,
  ringOf,
  text,
} from './support.js';

const key = dataKey('tn_01J9ZQ.dk.3', 3);
const ring = ringOf(key);

describe('envelope v1: format', () => {
  it('is tv1.<keyId>.<base64url(nonce ‖ ciphertext ‖ tag)>', () => {
    const envelope = sealField(key, 'x'.repeat(32), baseContext);
    const [, payload] = /^tv1\.tn_01J9ZQ\.dk\.3\.([A-Za-z0-9_-]+)$/.exec(envelope) ?? [];
    expect(Buffer.from(payload ?? '', 'base64url').length).toBe(12 + 32 + 16);
    expect(envelopeKeyId(envelope)).toBe('tn_01J9ZQ.dk.3');
    expect(isEnvelope(envelope)).toBe(true);
  });

  it('uses a fresh nonce every time', () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const payload = sealField(key, 'same', baseContext).split('.').at(-1) ?? '';
      nonces.add(Buffer.from(payload, 'base64url').subarray(0, 12).toString('hex'));
    }
    expect(nonces.size).toBe(2000);
  });

  it('rejects text that is not an envelope v1', () => {
    const good = sealField(key, 'v', baseContext);
    const malformed = [
      '',
      'tv1.',
      'tv1..',
      'tv1.k.AAAA',
      `tv2.${good.slice(4)}`,
      `${good}=`,
      `${good}.`,
      `${good}+`,
      good.replace('tv1.', 'TV1.'),
    ];
    for (const bad of malformed) {
      expect(isEnvelope(bad)).toBe(false);
      expect(codeOf(() => openField(ring, bad, baseContext))).toBe('ERR_CRYPTO_DECRYPT_FAILED');
      expect(codeOf(() => envelopeKeyId(bad))).toBe('ERR_CRYPTO_ENVELOPE_MALFORMED');
    }
    // Well shaped but not what was sealed: only authentication can tell.
    for (const bad of [good.slice(0, -1), `${good}A`, `${good}AAAA`]) {
      expect(codeOf(() => openField(ring, bad, baseContext))).toBe('ERR_CRYPTO_DECRYPT_FAILED');
    }
  });
});

describe('envelope v1: round trip', () => {
  it('opens what it sealed, for any string and context', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }),
        contextArb,
        (plaintext, context) => {
          expect(openFieldText(ring, sealField(key, plaintext, context), context)).toBe(plaintext);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('opens what it sealed, for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (bytes) => {
        expect(openField(ring, sealField(key, bytes, baseContext), baseContext).equals(bytes)).toBe(
          true,
        );
      }),
      { numRuns: 100 },
    );
  });

  it('treats an absent purpose as the empty purpose', () => {
    const { purpose: _purpose, ...noPurpose } = baseContext;
    const envelope = sealField(key, 'v', noPurpose);
    expect(openFieldText(ring, envelope, { ...noPurpose, purpose: '' })).toBe('v');
  });

  it('openFieldText rejects invalid UTF-8 with the opaque error', () => {
    const envelope = sealField(key, Uint8Array.of(0xff, 0xfe), baseContext);
    expect(codeOf(() => openFieldText(ring, envelope, baseContext))).toBe(
      'ERR_CRYPTO_DECRYPT_FAILED',
    );
  });

  it('keeps a leading byte-order mark', () => {
    expect(openFieldText(ring, sealField(key, '\uFEFFv', baseContext), baseContext)).toBe(
      '\uFEFFv',
    );
  });
});

describe('envelope v1: binding to its context and key', () => {
  it('fails when any single field of the context changes', () => {
    fc.assert(
      fc.property(
        contextArb,
        fc.constantFrom(...CONTEXT_FIELDS),
        text,
        (context, name, replacement) => {
          const current = context[name] ?? '';
          fc.pre(current !== replacement);
          const envelope = sealField(key, 'secret', context);
          const changed: EnvelopeContext = { ...context, [name]: replacement };
          expect(codeOf(() => openField(ring, envelope, changed))).toBe(
            'ERR_CRYPTO_DECRYPT_FAILED',
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fails when the key id is changed, even to a key with the same material', () => {
    const material = new Uint8Array(32).fill(7);
    const a = dataKey('key-a', 1, material);
    const b = dataKey('key-b', 1, material);
    const both = ringOf(a, b);
    fc.assert(
      fc.property(fc.string({ maxLength: 64 }), contextArb, (plaintext, context) => {
        const envelope = sealField(a, plaintext, context);
        const relabelled = envelope.replace('tv1.key-a.', 'tv1.key-b.');
        expect(codeOf(() => openField(both, relabelled, context))).toBe(
          'ERR_CRYPTO_DECRYPT_FAILED',
        );
      }),
      { numRuns: 100 },
    );
  });

  it('fails when the key version differs under the same id and material', () => {
    const material = new Uint8Array(32).fill(9);
    const envelope = sealField(dataKey('k', 1, material), 'v', baseContext);
    expect(codeOf(() => openField(ringOf(dataKey('k', 2, material)), envelope, baseContext))).toBe(
      'ERR_CRYPTO_DECRYPT_FAILED',
    );
  });

  it('does not open under another tenant, record, field or entity (AAD swaps)', () => {
    const envelope = sealField(key, 'AC-token', baseContext);
    const swaps: EnvelopeContext[] = [
      { ...baseContext, tenantId: asTenantId('tn_other') },
      { ...baseContext, recordId: '0192d6c4-7b1e-7c4a-9f0e-000000000000' },
      { ...baseContext, field: 'apiKeySecret' },
      { ...baseContext, entity: 'secret' },
      { ...baseContext, purpose: 'retell' },
      // Swapped values between fields, and boundary shifts a naive concatenation would confuse.
      { ...baseContext, entity: baseContext.field, field: baseContext.entity },
      { ...baseContext, entity: 'provider-credentialauth', field: 'Token' },
      {
        ...baseContext,
        tenantId: asTenantId(`${baseContext.tenantId}provider-`),
        entity: 'credential',
      },
    ];
    for (const context of swaps) {
      expect(codeOf(() => openField(ring, envelope, context))).toBe('ERR_CRYPTO_DECRYPT_FAILED');
    }
  });

  it('fails on every single-bit flip of the envelope text', () => {
    const other = dataKey('tn_01J9ZQ.dk.4', 4);
    const both = ringOf(key, other);
    fc.assert(
      fc.property(fc.string({ maxLength: 48 }), contextArb, (plaintext, context) => {
        const envelope = sealField(key, plaintext, context);
        for (let i = 0; i < envelope.length; i++) {
          for (let bit = 0; bit < 8; bit++) {
            const flipped =
              envelope.slice(0, i) +
              String.fromCharCode(envelope.charCodeAt(i) ^ (1 << bit)) +
              envelope.slice(i + 1);
            expect(() => openField(both, flipped, context)).toThrow();
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it('fails on every single-bit flip of the decoded payload (nonce, ciphertext, tag)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 48 }), (plaintext) => {
        const envelope = sealField(key, plaintext, baseContext);
        const cut = envelope.lastIndexOf('.') + 1;
        const payload = Buffer.from(envelope.slice(cut), 'base64url');
        for (let i = 0; i < payload.length * 8; i++) {
          const copy = Buffer.from(payload);
          copy[i >> 3] = (copy[i >> 3] ?? 0) ^ (1 << (i & 7));
          const tampered = envelope.slice(0, cut) + copy.toString('base64url');
          expect(codeOf(() => openField(ring, tampered, baseContext))).toBe(
            'ERR_CRYPTO_DECRYPT_FAILED',
          );
        }
      }),
      { numRuns: 30 },
    );
  });

  it('fails when the payload is truncated or extended', () => {
    const envelope = sealField(key, 'value', baseContext);
    const cut = envelope.lastIndexOf('.') + 1;
    const payload = Buffer.from(envelope.slice(cut), 'base64url');
    for (const variant of [
      payload.subarray(0, -1),
      payload.subarray(0, 28),
      Buffer.concat([payload, Buffer.of(0)]),
    ]) {
      const tampered = envelope.slice(0, cut) + variant.toString('base64url');
      expect(codeOf(() => openField(ring, tampered, baseContext))).toBe(
        'ERR_CRYPTO_DECRYPT_FAILED',
      );
    }
  });
});

describe('envelope v1: keys by id', () => {
  const old = dataKey('tn_01J9ZQ.dk.1', 1);
  const retired = dataKey('tn_01J9ZQ.dk.0', 1);
  const rotated = createKeyring([
    { key, state: 'primary' },
    { key: old, state: 'decrypt-only' },
    { key: retired, state: 'retired' },
  ]);

  it('opens with a decrypt-only key and seals with the primary', () => {
    expect(openFieldText(rotated, sealField(old, 'v', baseContext), baseContext)).toBe('v');
    expect(envelopeKeyId(sealField(rotated.primary(), 'v', baseContext))).toBe(key.id);
  });

  it('an unknown key id is ERR_CRYPTO_KEY_UNKNOWN', () => {
    const envelope = sealField(dataKey('tn_01J9ZQ.dk.9'), 'v', baseContext);
    expect(codeOf(() => openField(rotated, envelope, baseContext))).toBe('ERR_CRYPTO_KEY_UNKNOWN');
  });

  it('a retired key id is ERR_CRYPTO_KEY_RETIRED', () => {
    const envelope = sealField(retired, 'v', baseContext);
    expect(codeOf(() => openField(rotated, envelope, baseContext))).toBe('ERR_CRYPTO_KEY_RETIRED');
  });
});

describe('envelope v1: arguments', () => {
  it('rejects empty or ill-formed context fields with ERR_CRYPTO_ARGUMENT', () => {
    for (const name of ['tenantId', 'entity', 'field', 'recordId'] as const) {
      expect(codeOf(() => sealField(key, 'v', { ...baseContext, [name]: '' }))).toBe(
        'ERR_CRYPTO_ARGUMENT',
      );
    }
    expect(codeOf(() => sealField(key, 'v', { ...baseContext, recordId: 'a\uD800' }))).toBe(
      'ERR_CRYPTO_ARGUMENT',
    );
    expect(codeOf(() => sealField(key, '\uDC00', baseContext))).toBe('ERR_CRYPTO_ARGUMENT');
  });

  it('rejects a key that is not a DataKey', () => {
    const fake = { id: key.id, version: 1 };
    expect(codeOf(() => sealField(fake, 'v', baseContext))).toBe('ERR_CRYPTO_ARGUMENT');
  });

  it('handles contexts and values larger than the scratch buffers', () => {
    const big: EnvelopeContext = {
      ...baseContext,
      recordId: 'r'.repeat(5000),
      purpose: 'é'.repeat(3000),
    };
    const value = 'v'.repeat(10_000);
    expect(openFieldText(ring, sealField(key, value, big), big)).toBe(value);
  });
});
