// The package entry (`import … from 'telvault'`): what platforms migrating in their own code use.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as telvault from '../../src/index.js';

const vectors = JSON.parse(
  readFileSync(new URL('../fixtures/legacy/legacy_vectors.json', import.meta.url), 'utf8'),
) as {
  vectors: {
    scheme: string;
    params?: unknown;
    input: unknown;
    plaintext: string | null;
    valid: boolean;
  }[];
};

describe("package entry ('telvault')", () => {
  it('maps the package name to the built library entry', () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as {
      name: string;
      exports: Record<string, { default: string }>;
      bin: Record<string, string>;
    };
    expect(pkg.name).toBe('telvault');
    expect(pkg.exports['.']?.default).toBe('./dist/index.js');
    expect(pkg.bin['telvault']).toBe('bin/telvault.js');
  });

  it('exports decodeLegacy and createLegacyDecoder that open a legacy value', () => {
    const valid = vectors.vectors.find((v) => v.valid && v.scheme === 'gcm-hex-pbkdf2');
    expect(valid).toBeDefined();
    if (valid === undefined) return;
    expect(telvault.decodeLegacy(valid.scheme, valid.params, valid.input)).toBe(valid.plaintext);
    const decoder = telvault.createLegacyDecoder(valid.scheme, valid.params);
    expect(decoder.decode(valid.input)).toBe(valid.plaintext);
    expect(() => decoder.decode('00:11:22')).toThrow(telvault.TelvaultError);
  });

  it('exports the server, services, provider clients and the sandbox as named exports', () => {
    for (const name of [
      'createServer',
      'createServices',
      'openServices',
      'loadConfig',
      'sealField',
      'openField',
      'createKeyring',
      'Secret',
      'ProviderError',
      'createTwilioClient',
      'createRetellClient',
      'createExotelClient',
      'createSendgridClient',
      'createSandboxApp',
      'generateSandboxSeed',
    ]) {
      expect(typeof (telvault as Record<string, unknown>)[name], name).toBe('function');
    }
    expect('default' in telvault).toBe(false);
  });

  it('parses library input with the same rules as the HTTP API, secrets wrapped', () => {
    expect(() => telvault.parseCredentialInput('twilio', { accountSid: 'AC1', bogus: 1 })).toThrow(
      expect.objectContaining({
        code: 'ERR_VALIDATION',
        message: 'accountSid: must be AC followed by 32 hex digits; bogus: unknown field',
      }),
    );
    const input = telvault.parseCredentialInput('retell', { apiKey: 'key_CANARY_12345678' });
    expect(telvault.isSecret(input['apiKey'])).toBe(true);
    expect(JSON.stringify(input)).not.toContain('CANARY');
    const secret = telvault.parseSecretInput({ value: 'CANARY value' });
    expect(String(secret.value)).toBe('[REDACTED]');
    expect(() => telvault.parseSecretInput({ value: 'abc\ud800' })).toThrow(
      expect.objectContaining({
        code: 'ERR_VALIDATION',
        message: expect.stringMatching(/^value: must be well-formed Unicode/) as unknown,
      }),
    );
    expect(() => telvault.parseSecretInput({ value: '' })).toThrow(
      expect.objectContaining({ code: 'ERR_VALIDATION', message: 'value: must not be empty' }),
    );
  });
});
