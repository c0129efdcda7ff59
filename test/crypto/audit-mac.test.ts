// The audit MACs: HKDF-SHA256 subkeys of the audit key, one per use, then HMAC-SHA256. Checked
// against a computation written out from RFC 5869 and RFC 2104 here, so the stored format cannot
// drift with the implementation; the three uses never give the same MAC for the same text.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAuditMacs, macTextEquals } from '../../src/crypto/index.js';

const material = Buffer.from(Array.from({ length: 32 }, (_, i) => i));

/** HKDF-SHA256 with an empty salt (HashLen zeros), 32 bytes out: one expand block. */
function hkdf(ikm: Buffer, info: string): Buffer {
  const prk = createHmac('sha256', Buffer.alloc(32)).update(ikm).digest();
  return createHmac('sha256', prk)
    .update(Buffer.concat([Buffer.from(info, 'utf8'), Buffer.of(1)]))
    .digest();
}

const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text, 'utf8').digest();

describe('audit MACs', () => {
  const macs = createAuditMacs(material);
  const text = '["telvault/audit-chain/v2","x"]';

  it('are HMAC-SHA256 under the HKDF subkey of each versioned info string', () => {
    expect(macs.event(text)).toBe(
      hmac(hkdf(material, 'telvault/audit-chain/v2'), text).toString('hex'),
    );
    expect(macs.head(text)).toBe(
      hmac(hkdf(material, 'telvault/audit-head/v2'), text).toString('hex'),
    );
    expect(macs.anchor(text)).toBe(
      hmac(hkdf(material, 'telvault/audit-anchor/v2'), text).toString('base64url'),
    );
  });

  it('separate their uses and their keys', () => {
    expect(new Set([macs.event(text), macs.head(text)]).size).toBe(2);
    const other = createAuditMacs(Buffer.alloc(32, 7));
    expect(other.event(text)).not.toBe(macs.event(text));
    expect(macs.event(text)).toMatch(/^[0-9a-f]{64}$/);
    expect(macs.anchor(text)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('validate their arguments and show no key material', () => {
    expect(() => createAuditMacs(new Uint8Array(16))).toThrow(
      '"audit key" expected 32 bytes, got 16',
    );
    expect(() => macs.event('\ud800')).toThrow('"text" expected a well-formed string');
    expect(JSON.stringify(macs)).toBe('{}');
    expect(macTextEquals('abc', 'abc')).toBe(true);
    expect(macTextEquals('abc', 'abd')).toBe(false);
    expect(macTextEquals('abc', 'abcd')).toBe(false);
  });
});
