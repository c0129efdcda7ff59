import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLegacyDecoder, decodeLegacy, TelvaultError } from '../../src/crypto/index.js';
import { codeOf } from './support.js';

const cbc = { secret: 'dev-encryption-key-please-change-0001', kdf: 'sha256' };
const cbcInput =
  '0cfe440951bbf90f4e15c5a0fcbb0163:8d390483668c32cfe0c4937f90cfae73e350836aa2e0d2f01634c79d8e5c4f7f';

function errorOf(fn: () => unknown): TelvaultError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TelvaultError) return error;
  }
  throw new Error('expected a TelvaultError');
}

describe('legacy decoders: strict parsing with clear errors', () => {
  it('names the field and the rule', () => {
    const upper = errorOf(() => decodeLegacy('cbc-hex', cbc, cbcInput.toUpperCase()));
    expect(upper.code).toBe('ERR_LEGACY_INPUT_INVALID');
    expect(upper.message).toBe('"iv" expected lower-case hex with an even number of digits');
    const shortIv = errorOf(() => decodeLegacy('cbc-hex', cbc, cbcInput.slice(2)));
    expect(shortIv.message).toBe('"iv" expected 16 bytes (32 hex digits), got 15');
    const notBlock = errorOf(() => decodeLegacy('cbc-hex', cbc, cbcInput.slice(0, -2)));
    expect(notBlock.message).toBe('"ciphertext" expected a non-empty multiple of 16 bytes, got 31');
    const parts = errorOf(() =>
      decodeLegacy('gcm-hex-pbkdf2', { secret: 's', salt: 's', iterations: 1 }, 'aa:bb'),
    );
    expect(parts.message).toBe("input expected 3 parts 'iv:ciphertext:tag', got 2");
    const key16 = errorOf(() =>
      decodeLegacy('gcm-packed-b64', { key: Buffer.alloc(16).toString('base64') }, ''),
    );
    expect([key16.code, key16.message]).toEqual([
      'ERR_LEGACY_PARAMS_INVALID',
      '"key" expected 32 bytes, got 16',
    ]);
  });

  it('rejects bad params', () => {
    expect(codeOf(() => decodeLegacy('cbc-hex', { ...cbc, kdf: 'md5' }, cbcInput))).toBe(
      'ERR_LEGACY_PARAMS_INVALID',
    );
    expect(codeOf(() => decodeLegacy('cbc-hex', { ...cbc, extra: 1 }, cbcInput))).toBe(
      'ERR_LEGACY_PARAMS_INVALID',
    );
    expect(codeOf(() => decodeLegacy('cbc-hex', { kdf: 'sha256' }, cbcInput))).toBe(
      'ERR_LEGACY_PARAMS_INVALID',
    );
    expect(
      codeOf(() => decodeLegacy('cbc-hex', { secret: 'short', kdf: 'utf8-first-32' }, cbcInput)),
    ).toBe('ERR_LEGACY_PARAMS_INVALID');
    const pbkdf2 = { secret: 's', salt: 's', iterations: 0 };
    expect(codeOf(() => decodeLegacy('gcm-hex-pbkdf2', pbkdf2, 'x'))).toBe(
      'ERR_LEGACY_PARAMS_INVALID',
    );
    expect(
      codeOf(() => decodeLegacy('gcm-hex-pbkdf2', { ...pbkdf2, iterations: '1000' }, 'x')),
    ).toBe('ERR_LEGACY_PARAMS_INVALID');
    expect(codeOf(() => decodeLegacy('aes-ecb', {}, 'x'))).toBe('ERR_LEGACY_SCHEME_UNKNOWN');
  });

  it('rejects extra or missing input fields', () => {
    const params = {
      secret: 'dev-encryption-key-please-change-0001',
      salt: 'twilio-connector-salt',
    };
    const input = { encrypted: '00', iv: '00'.repeat(16), authTag: '00'.repeat(16) };
    expect(codeOf(() => decodeLegacy('gcm-fields-scrypt', params, { ...input, extra: 'x' }))).toBe(
      'ERR_LEGACY_INPUT_INVALID',
    );
    expect(
      codeOf(() =>
        decodeLegacy('gcm-fields-scrypt', params, { iv: input.iv, authTag: input.authTag }),
      ),
    ).toBe('ERR_LEGACY_INPUT_INVALID');
    expect(codeOf(() => decodeLegacy('gcm-fields-scrypt', params, input))).toBe(
      'ERR_LEGACY_DECRYPT_FAILED',
    );
  });

  it('plaintext takes no params and returns the string', () => {
    expect(decodeLegacy('plaintext', undefined, 'AC123')).toBe('AC123');
    expect(decodeLegacy('plaintext', {}, '')).toBe('');
    expect(createLegacyDecoder('plaintext', undefined).decode('+61401148075')).toBe('+61401148075');
    expect(codeOf(() => decodeLegacy('plaintext', { flag: true }, 'x'))).toBe(
      'ERR_LEGACY_PARAMS_INVALID',
    );
    expect(codeOf(() => decodeLegacy('plaintext', undefined, 42))).toBe('ERR_LEGACY_INPUT_INVALID');
    expect(codeOf(() => decodeLegacy('plaintext', undefined, '\uD800'))).toBe(
      'ERR_LEGACY_INPUT_INVALID',
    );
  });

  it('rejects decrypted bytes that are not UTF-8', () => {
    // AES-256-CBC of 0xff 0xfe under SHA-256(secret), made with node:crypto for this test only.
    const key = createHash('sha256').update(cbc.secret).digest();
    const iv = Buffer.alloc(16, 1);
    const cipher = createCipheriv('aes-256-cbc', key, iv);
    const ct = Buffer.concat([cipher.update(Buffer.of(0xff, 0xfe)), cipher.final()]);
    expect(
      codeOf(() => decodeLegacy('cbc-hex', cbc, `${iv.toString('hex')}:${ct.toString('hex')}`)),
    ).toBe('ERR_LEGACY_DECRYPT_FAILED');
  });
});
