// Committed v1 outputs that must open (and match) forever. If this fails, a stored format changed:
// fix the code, never the fixture.
import { createDecipheriv, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  asKeyId,
  computeBlindIndex,
  createBlindIndexKey,
  createDataKey,
  createKeyring,
  createRateLimitKeyer,
  openField,
  openFieldText,
  parseMasterKey,
  unwrapKey,
  type EnvelopeContext,
  type WrapContext,
} from '../../src/crypto/index.js';

interface Fixture {
  dataKeys: Array<{ id: string; version: number; materialHex: string }>;
  envelopes: Array<{
    keyId: string;
    context: EnvelopeContext;
    plaintext?: string;
    plaintextHex?: string;
    envelope: string;
  }>;
  masterKey: { base64: string; id: string };
  wrappedKeys: Array<{ context: WrapContext; materialHex: string; wrapped: string }>;
  blindIndex: {
    version: number;
    materialHex: string;
    values: Array<{ normalized: string; normalizerVersion: number; index: string }>;
  };
  rateLimit: { systemMaterialHex: string; values: Array<{ value: string; key: string }> };
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/frozen-envelopes-v1.json', import.meta.url), 'utf8'),
) as Fixture;

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

describe('frozen v1 fixture', () => {
  const ring = createKeyring(
    fixture.dataKeys.map((k, i) => ({
      key: createDataKey(asKeyId(k.id), k.version, hex(k.materialHex)),
      state: i === 0 ? ('primary' as const) : ('decrypt-only' as const),
    })),
  );

  it('opens every frozen envelope', () => {
    expect(fixture.envelopes.length).toBe(6);
    for (const e of fixture.envelopes) {
      if (e.plaintext !== undefined)
        expect(openFieldText(ring, e.envelope, e.context)).toBe(e.plaintext);
      else expect(openField(ring, e.envelope, e.context).toString('hex')).toBe(e.plaintextHex);
    }
  });

  it('opens a frozen envelope with raw node:crypto, following docs/envelope.md', () => {
    const e = fixture.envelopes[0];
    const k = fixture.dataKeys[0];
    if (e === undefined || k === undefined) throw new Error('fixture is empty');
    const subkey = Buffer.from(
      hkdfSync('sha256', hex(k.materialHex), Buffer.alloc(0), 'telvault/envelope/v1', 32),
    );
    const lp = (s: string): Buffer => {
      const bytes = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(bytes.length);
      return Buffer.concat([len, bytes]);
    };
    const version = Buffer.alloc(4);
    version.writeUInt32BE(k.version);
    const c = e.context;
    const aad = Buffer.concat([
      lp('telvault/envelope-aad/v1'),
      lp(k.id),
      version,
      lp(c.tenantId),
      lp(c.entity),
      lp(c.field),
      lp(c.recordId),
      lp(c.purpose ?? ''),
    ]);
    expect(e.envelope.startsWith(`tv1.${k.id}.`)).toBe(true);
    const payload = Buffer.from(e.envelope.slice(`tv1.${k.id}.`.length), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', subkey, payload.subarray(0, 12), {
      authTagLength: 16,
    });
    decipher.setAAD(aad);
    decipher.setAuthTag(payload.subarray(-16));
    const plain = Buffer.concat([decipher.update(payload.subarray(12, -16)), decipher.final()]);
    expect(plain.toString('utf8')).toBe(e.plaintext);
  });

  it('unwraps every frozen wrapped key with the master key named in it', () => {
    const master = parseMasterKey(fixture.masterKey.base64);
    expect(master.id).toBe(fixture.masterKey.id);
    for (const w of fixture.wrappedKeys) {
      expect(Buffer.from(unwrapKey([master], w.wrapped, w.context)).toString('hex')).toBe(
        w.materialHex,
      );
    }
  });

  it('computes the same blind indexes and rate-limit keys', () => {
    const indexKey = createBlindIndexKey(
      fixture.blindIndex.version,
      hex(fixture.blindIndex.materialHex),
    );
    for (const v of fixture.blindIndex.values) {
      expect(computeBlindIndex(indexKey, v.normalized, v.normalizerVersion)).toBe(v.index);
    }
    const keyer = createRateLimitKeyer(hex(fixture.rateLimit.systemMaterialHex));
    for (const v of fixture.rateLimit.values) expect(keyer.key(v.value)).toBe(v.key);
  });
});
