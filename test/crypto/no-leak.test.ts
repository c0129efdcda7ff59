// Canary values (key bytes, plaintext, legacy secrets) must never appear in an error or in the
// printed form of a key.
import { inspect } from 'node:util';
import { asTenantId } from '../../src/crypto/index.js';
import { describe, expect, it } from 'vitest';
import {
  asKeyId,
  createBlindIndexKey,
  createDataKey,
  createKeyring,
  decodeLegacy,
  openField,
  openFieldText,
  parseMasterKey,
  sealField,
  unwrapKey,
  wrapKey,
  type EnvelopeContext,
} from '../../src/crypto/index.js';

const keyBytes = Buffer.from('CANARYKEYCANARYKEYCANARYKEY!!!!!', 'latin1');
const plaintext = 'CANARY-PLAINTEXT-0f9e8d7c';
const legacySecret = 'CANARY-LEGACY-SECRET';
const canaries = [
  keyBytes.toString('latin1'),
  keyBytes.toString('hex'),
  keyBytes.toString('base64'),
  keyBytes.toString('base64url').slice(0, 20),
  plaintext,
  Buffer.from(plaintext).toString('hex'),
  legacySecret,
];

function rendered(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return [
      String(error),
      (error as Error).stack ?? '',
      inspect(error, { depth: 10, showHidden: true }),
      JSON.stringify(error),
    ].join('\n');
  }
  throw new Error('expected an error');
}

function expectClean(text: string): void {
  for (const canary of canaries) expect(text).not.toContain(canary);
}

const context: EnvelopeContext = {
  tenantId: asTenantId('t'),
  entity: 'e',
  field: 'f',
  recordId: 'r',
};

describe('no secret in any message', () => {
  const key = createDataKey(asKeyId('k1'), 1, keyBytes);
  const ring = createKeyring([{ key, state: 'primary' }]);
  const envelope = sealField(key, plaintext, context);

  it('keys print nothing of their material', () => {
    expectClean(inspect(key, { showHidden: true, depth: 10 }) + JSON.stringify(key));
    expectClean(inspect(ring, { showHidden: true, depth: 10 }));
    expectClean(inspect(createBlindIndexKey(1, keyBytes), { showHidden: true }));
    expectClean(inspect(parseMasterKey(keyBytes.toString('base64')), { showHidden: true }));
  });

  it('decryption, key and argument errors', () => {
    const payload = envelope.split('.').at(-1) ?? '';
    const master = parseMasterKey(keyBytes.toString('base64'));
    const wrapped = wrapKey(master, keyBytes, {
      tenantId: asTenantId('t'),
      purpose: 'data',
      version: 1,
    });
    const texts = [
      rendered(() => openField(ring, envelope, { ...context, tenantId: asTenantId('x') })),
      rendered(() => openFieldText(ring, `${envelope.slice(0, -4)}AAAA`, context)),
      rendered(() => openField(ring, `tv1.k2.${payload}`, context)),
      rendered(() => sealField(key, plaintext, { ...context, recordId: '' })),
      rendered(() => parseMasterKey(keyBytes.subarray(0, 16).toString('base64'))),
      rendered(() => parseMasterKey(`${keyBytes.toString('base64')}x`)),
      rendered(() => createDataKey(asKeyId('k'), 1, keyBytes.subarray(0, 31))),
      rendered(() =>
        unwrapKey([master], wrapped, { tenantId: asTenantId('u'), purpose: 'data', version: 1 }),
      ),
      rendered(() =>
        decodeLegacy('cbc-hex', { secret: legacySecret, kdf: 'utf8-first-32' }, '00:00'),
      ),
      rendered(() => decodeLegacy('cbc-hex', { secret: legacySecret, kdf: 'md5' }, '00:00')),
      rendered(() =>
        decodeLegacy(
          'gcm-packed-b64',
          { key: keyBytes.subarray(0, 16).toString('base64') },
          'AAAA',
        ),
      ),
      rendered(() =>
        decodeLegacy(
          'gcm-packed-b64',
          { key: keyBytes.toString('base64') },
          Buffer.alloc(40).toString('base64'),
        ),
      ),
      rendered(() => decodeLegacy(legacySecret, {}, 'x')),
    ];
    for (const text of texts) expectClean(text);
  });
});
