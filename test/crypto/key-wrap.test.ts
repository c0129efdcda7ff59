import { describe, expect, it } from 'vitest';
import { asTenantId } from '../../src/crypto/index.js';
import {
  generateKeyMaterial,
  parseMasterKey,
  TelvaultError,
  unwrapKey,
  wrapKey,
  wrappedKeyMasterId,
  type WrapContext,
} from '../../src/crypto/index.js';
import { codeOf } from './support.js';

const b64 = (bytes: Buffer): string => bytes.toString('base64');
const masterA = parseMasterKey(b64(Buffer.alloc(32, 0xa1)));
const masterB = parseMasterKey(b64(Buffer.alloc(32, 0xb2)));
const dataCtx: WrapContext = { tenantId: asTenantId('tn_1'), purpose: 'data', version: 1 };

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('master key', () => {
  it('decodes exactly 32 bytes of standard base64, ignoring surrounding whitespace', () => {
    const key = b64(Buffer.alloc(32, 0xa1));
    expect(parseMasterKey(`  ${key}\n`).id).toBe(masterA.id);
  });

  it('rejects other lengths with a message naming expected and actual bytes', () => {
    for (const n of [0, 16, 31, 33, 64]) {
      const value = b64(Buffer.alloc(n, 0x5a));
      expect(codeOf(() => parseMasterKey(value))).toBe('ERR_CRYPTO_KEY_INVALID');
      const message = messageOf(() => parseMasterKey(value));
      expect(message).toBe(`"master key" expected 32 bytes, got ${n}`);
    }
  });

  it('rejects text that is not canonical standard base64, without echoing it', () => {
    const key = b64(Buffer.alloc(32, 0xa1));
    for (const bad of [
      key.replace(/=$/, ''),
      key.replaceAll('o', '-'),
      `${key}=`,
      'not base64!',
      key.slice(0, -2) + 'R=',
    ]) {
      expect(codeOf(() => parseMasterKey(bad))).toBe('ERR_CRYPTO_KEY_INVALID');
      expect(messageOf(() => parseMasterKey(bad))).not.toContain(bad.slice(0, 8));
    }
  });

  it('has an id that is a fingerprint: stable, distinct, and not the key', () => {
    expect(masterA.id).toMatch(/^mk_[0-9a-f]{16}$/);
    expect(parseMasterKey(b64(Buffer.alloc(32, 0xa1))).id).toBe(masterA.id);
    expect(masterB.id).not.toBe(masterA.id);
    expect(masterA.id).not.toContain('a1a1');
    expect(JSON.stringify(masterA)).toBe(`{"id":"${masterA.id}"}`);
  });
});

describe('wrapped keys', () => {
  it('round trips for data, index, system and audit keys', () => {
    const contexts: WrapContext[] = [
      dataCtx,
      { tenantId: asTenantId('tn_1'), purpose: 'index', version: 7 },
      { tenantId: null, purpose: 'system', version: 1 },
      { tenantId: null, purpose: 'audit', version: 1 },
    ];
    for (const context of contexts) {
      const material = generateKeyMaterial();
      const wrapped = wrapKey(masterA, material, context);
      expect(wrapped).toMatch(/^tvk1\.mk_[0-9a-f]{16}\.[A-Za-z0-9_-]{80}$/);
      expect(wrappedKeyMasterId(wrapped)).toBe(masterA.id);
      expect(Buffer.from(unwrapKey([masterA], wrapped, context)).equals(material)).toBe(true);
    }
  });

  it('does not open the audit key as the system key, or the other way round', () => {
    const audit = { tenantId: null, purpose: 'audit' as const, version: 1 };
    const wrapped = wrapKey(masterA, generateKeyMaterial(), audit);
    expect(codeOf(() => unwrapKey([masterA], wrapped, { ...audit, purpose: 'system' }))).toBe(
      'ERR_CRYPTO_DECRYPT_FAILED',
    );
    const system = wrapKey(masterA, generateKeyMaterial(), { ...audit, purpose: 'system' });
    expect(codeOf(() => unwrapKey([masterA], system, audit))).toBe('ERR_CRYPTO_DECRYPT_FAILED');
  });

  it('fails under the wrong tenant, purpose or version', () => {
    const wrapped = wrapKey(masterA, generateKeyMaterial(), dataCtx);
    for (const context of [
      { ...dataCtx, tenantId: asTenantId('tn_2') },
      { ...dataCtx, purpose: 'index' as const },
      { ...dataCtx, version: 2 },
    ]) {
      expect(codeOf(() => unwrapKey([masterA], wrapped, context))).toBe(
        'ERR_CRYPTO_DECRYPT_FAILED',
      );
    }
  });

  it('picks the master key by the id in the text, never by trying', () => {
    const material = generateKeyMaterial();
    const underB = wrapKey(masterB, material, dataCtx);
    expect(Buffer.from(unwrapKey([masterA, masterB], underB, dataCtx)).equals(material)).toBe(true);
    expect(codeOf(() => unwrapKey([masterA], underB, dataCtx))).toBe('ERR_KEYS_MASTER_UNKNOWN');
    // Relabelled to another configured master: the id is in the AAD, so it fails to open.
    const relabelled = underB.replace(masterB.id, masterA.id);
    expect(codeOf(() => unwrapKey([masterA, masterB], relabelled, dataCtx))).toBe(
      'ERR_CRYPTO_DECRYPT_FAILED',
    );
  });

  it('fails on every single-bit flip of the wrapped text', () => {
    const wrapped = wrapKey(masterA, generateKeyMaterial(), dataCtx);
    for (let i = 0; i < wrapped.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const flipped =
          wrapped.slice(0, i) +
          String.fromCharCode(wrapped.charCodeAt(i) ^ (1 << bit)) +
          wrapped.slice(i + 1);
        expect(() => unwrapKey([masterA], flipped, dataCtx)).toThrow(TelvaultError);
      }
    }
  });

  it('validates its arguments', () => {
    expect(codeOf(() => wrapKey(masterA, new Uint8Array(16), dataCtx))).toBe('ERR_CRYPTO_ARGUMENT');
    expect(
      codeOf(() =>
        wrapKey(masterA, generateKeyMaterial(), { tenantId: null, purpose: 'data', version: 1 }),
      ),
    ).toBe('ERR_CRYPTO_ARGUMENT');
    expect(
      codeOf(() =>
        wrapKey(masterA, generateKeyMaterial(), {
          tenantId: asTenantId('t'),
          purpose: 'system',
          version: 1,
        }),
      ),
    ).toBe('ERR_CRYPTO_ARGUMENT');
    expect(
      codeOf(() =>
        wrapKey(masterA, generateKeyMaterial(), {
          tenantId: asTenantId('t'),
          purpose: 'audit',
          version: 1,
        }),
      ),
    ).toBe('ERR_CRYPTO_ARGUMENT');
    expect(codeOf(() => wrapKey({ id: masterA.id }, generateKeyMaterial(), dataCtx))).toBe(
      'ERR_CRYPTO_ARGUMENT',
    );
    expect(codeOf(() => wrappedKeyMasterId('tvk1.mk_zz.abc'))).toBe(
      'ERR_CRYPTO_ENVELOPE_MALFORMED',
    );
    expect(generateKeyMaterial()).toHaveLength(32);
  });
});
