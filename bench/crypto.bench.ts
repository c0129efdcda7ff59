// Seal and open of a 32-byte value: envelope v1 against raw node:crypto AES-256-GCM with a cached
// key (same run), the peer library @47ng/cloak, and the legacy design that runs PBKDF2 per value.
import { decryptStringSync, encryptStringSync, generateKey, parseKeySync } from '@47ng/cloak';
import { asTenantId } from '../src/crypto/index.js';
import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  pbkdf2Sync,
  randomBytes,
  randomFillSync,
} from 'node:crypto';
import {
  asKeyId,
  createDataKey,
  createKeyring,
  generateKeyMaterial,
  openField,
  openFieldText,
  sealField,
  type EnvelopeContext,
} from '../src/crypto/index.js';
import { measure, printTable, type BenchModule } from './harness.js';

const VALUE = 'a14dc4fbfa60fa17cd8095c18f5d5aeb'; // 32 bytes, a Twilio auth token's shape
const VALUE_BYTES = Buffer.from(VALUE, 'utf8');
const context: EnvelopeContext = {
  tenantId: asTenantId('tn_01J9ZQ7K3M'),
  entity: 'provider-credential',
  field: 'authToken',
  recordId: '0192d6c4-7b1e-7c4a-9f0e-3a1b2c3d4e5f',
  purpose: 'twilio',
};

// Raw node:crypto baseline: the key created once (a KeyObject, the faster of KeyObject and Buffer).
const rawKey = createSecretKey(randomBytes(32));

function rawSeal(): { iv: Buffer; ct: Buffer; tag: Buffer } {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', rawKey, iv);
  const ct = Buffer.concat([cipher.update(VALUE_BYTES), cipher.final()]);
  return { iv, ct, tag: cipher.getAuthTag() };
}

function rawOpen(sealed: { iv: Buffer; ct: Buffer; tag: Buffer }): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', rawKey, sealed.iv, { authTagLength: 16 });
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.ct), decipher.final()]);
}

// The same, with nonces taken from a pool filled by one randomFillSync per 512 (as sealField does),
// to show how much of sealField's lead over raw is the nonce pool and not the envelope.
const noncePool = Buffer.allocUnsafe(12 * 512);
let noncePos = noncePool.length;

function rawSealPooled(): { ct: Buffer; tag: Buffer } {
  if (noncePos === noncePool.length) {
    randomFillSync(noncePool);
    noncePos = 0;
  }
  const iv = noncePool.subarray(noncePos, (noncePos += 12));
  const cipher = createCipheriv('aes-256-gcm', rawKey, iv);
  const ct = Buffer.concat([cipher.update(VALUE_BYTES), cipher.final()]);
  return { ct, tag: cipher.getAuthTag() };
}

// The legacy design: PBKDF2-HMAC-SHA256 at 100k iterations on every value.
const LEGACY_SECRET = 'jwt-secret-reused-as-encryption-key';
const LEGACY_SALT = 'exotel-encryption-salt';

function legacySeal(): string {
  const key = pbkdf2Sync(LEGACY_SECRET, LEGACY_SALT, 100_000, 32, 'sha256');
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(VALUE_BYTES), cipher.final()]);
  return `${iv.toString('hex')}:${ct.toString('hex')}:${cipher.getAuthTag().toString('hex')}`;
}

function legacyOpen(stored: string): string {
  const [iv = '', ct = '', tag = ''] = stored.split(':');
  const key = pbkdf2Sync(LEGACY_SECRET, LEGACY_SALT, 100_000, 32, 'sha256');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'hex'), {
    authTagLength: 16,
  });
  decipher.setAuthTag(Buffer.from(tag, 'hex'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'hex')), decipher.final()]).toString(
    'utf8',
  );
}

async function run(): Promise<void> {
  const key = createDataKey(asKeyId('tn_01J9ZQ7K3M.dk.1'), 1, generateKeyMaterial());
  const ring = createKeyring([{ key, state: 'primary' }]);
  const envelope = sealField(key, VALUE, context);
  const rawSealed = rawSeal();
  const cloakKey = parseKeySync(generateKey());
  const cloaked = encryptStringSync(VALUE, cloakKey);
  const legacyStored = legacySeal();

  const seal = measure(
    [
      { name: 'raw node:crypto seal', fn: rawSeal },
      { name: 'raw node:crypto seal, pooled nonces', fn: rawSealPooled },
      { name: 'telvault sealField', fn: () => sealField(key, VALUE, context) },
      { name: '@47ng/cloak encryptStringSync', fn: () => encryptStringSync(VALUE, cloakKey) },
      { name: 'legacy PBKDF2-100k per value', fn: legacySeal, roundMs: 150 },
    ],
    { baseline: 'raw node:crypto seal' },
  );
  printTable('seal, 32-byte value', 'raw', seal);

  const open = measure(
    [
      { name: 'raw node:crypto open', fn: () => rawOpen(rawSealed) },
      { name: 'telvault openField', fn: () => openField(ring, envelope, context) },
      // The string the services use: openField plus strict UTF-8 validation and decoding.
      { name: 'telvault openFieldText', fn: () => openFieldText(ring, envelope, context) },
      { name: '@47ng/cloak decryptStringSync', fn: () => decryptStringSync(cloaked, cloakKey) },
      { name: 'legacy PBKDF2-100k per value', fn: () => legacyOpen(legacyStored), roundMs: 150 },
    ],
    { baseline: 'raw node:crypto open' },
  );
  printTable('open, 32-byte value', 'raw', open);
  await Promise.resolve();
}

export const cryptoBench: BenchModule = { name: 'crypto', run };
