// Sample legacy records for the import examples, encrypted the way each field report's system
// did, with the scheme parameters and secrets of the published legacy vectors
// (test/fixtures/legacy/legacy_vectors.json, made with Python's `cryptography`): so the samples
// open with exactly the keys the vectors pin. IVs are derived from a label (not random) so the
// committed output is reproducible; real systems used random ones.
import { createCipheriv, createHash, pbkdf2Sync, scryptSync } from 'node:crypto';
import { readFileSync } from 'node:fs';

interface Vector {
  scheme: string;
  params: Record<string, string | number>;
  valid: boolean;
}

const VECTORS = new URL('../fixtures/legacy/legacy_vectors.json', import.meta.url);

/** The params of the first valid vector of a scheme matching `where` (salt, kdf, …). */
export function vectorParams(
  scheme: string,
  where: Record<string, string | number> = {},
): Record<string, string | number> {
  const doc = JSON.parse(readFileSync(VECTORS, 'utf8')) as { vectors: Vector[] };
  const v = doc.vectors.find(
    (x) =>
      x.valid && x.scheme === scheme && Object.entries(where).every(([k, w]) => x.params[k] === w),
  );
  if (v === undefined) throw new Error(`no valid ${scheme} vector`);
  return v.params;
}

const bytes = (label: string, n: number) =>
  createHash('sha256').update(label).digest().subarray(0, n);
/** 32 lower-case hex digits derived from a label (sids, tokens of the samples). */
export const hex32 = (label: string) =>
  createHash('sha256').update(label).digest('hex').slice(0, 32);

function gcm(key: Buffer, iv: Buffer, text: string) {
  const c = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([c.update(text, 'utf8'), c.final()]);
  return { ct, tag: c.getAuthTag() };
}

/** The four legacy encoders, each key derived once. */
export function legacyEncoders(secrets: {
  scrypt: string;
  pbkdf2: string;
  packed: string;
  cbc: string;
}) {
  const scryptKey = scryptSync(secrets.scrypt, 'twilio-connector-salt', 32, {
    N: 16384,
    r: 8,
    p: 1,
  });
  const pbkdf2Key = pbkdf2Sync(secrets.pbkdf2, 'exotel-encryption-salt', 100_000, 32, 'sha256');
  const packedKey = Buffer.from(secrets.packed, 'base64');
  const cbcKey = createHash('sha256').update(secrets.cbc, 'utf8').digest();
  return {
    /** `gcm-fields-scrypt`: { encrypted, iv, authTag } hex. */
    fields(text: string, label: string) {
      const iv = bytes(`iv:${label}`, 16);
      const { ct, tag } = gcm(scryptKey, iv, text);
      return {
        encrypted: ct.toString('hex'),
        iv: iv.toString('hex'),
        authTag: tag.toString('hex'),
      };
    },
    /** `gcm-hex-pbkdf2`: 'iv:ciphertext:tag' hex. */
    hexPbkdf2(text: string, label: string) {
      const iv = bytes(`iv:${label}`, 16);
      const { ct, tag } = gcm(pbkdf2Key, iv, text);
      return `${iv.toString('hex')}:${ct.toString('hex')}:${tag.toString('hex')}`;
    },
    /** `gcm-packed-b64`: base64(nonce[12] ‖ tag[16] ‖ ciphertext). */
    packed(text: string, label: string) {
      const nonce = bytes(`nonce:${label}`, 12);
      const { ct, tag } = gcm(packedKey, nonce, text);
      return Buffer.concat([nonce, tag, ct]).toString('base64');
    },
    /** `cbc-hex` (kdf sha256): 'iv:ciphertext' hex, PKCS#7. */
    cbc(text: string, label: string) {
      const iv = bytes(`iv:${label}`, 16);
      const c = createCipheriv('aes-256-cbc', cbcKey, iv);
      return `${iv.toString('hex')}:${Buffer.concat([c.update(text, 'utf8'), c.final()]).toString('hex')}`;
    },
  };
}

export type LegacyEncoders = ReturnType<typeof legacyEncoders>;

/** The secrets the examples' environment variables hold for the samples (the vectors' own). */
export function sampleSecrets() {
  return {
    scrypt: String(vectorParams('gcm-fields-scrypt', { salt: 'twilio-connector-salt' })['secret']),
    pbkdf2: String(vectorParams('gcm-hex-pbkdf2', { salt: 'exotel-encryption-salt' })['secret']),
    packed: String(vectorParams('gcm-packed-b64')['key']),
    cbc: String(vectorParams('cbc-hex', { kdf: 'sha256' })['secret']),
  };
}

const oid = (label: string) => ({
  $oid: createHash('sha256').update(label).digest('hex').slice(0, 24),
});

/** Valid numbers of several regions (libphonenumber's full metadata accepts them). */
const NUMBERS = ['+919876543210', '+61401148075', '+447476942799', '+14155552671', '+919812345678'];

/** `phones` documents as `mongoexport --jsonArray` writes them (field report 002). */
export function exotelPhones(enc: LegacyEncoders, n: number, numberOf?: (i: number) => string) {
  return Array.from({ length: n }, (_, i) => ({
    _id: oid(`phone-${i}`),
    userId: oid(`user-${i % 2}`),
    number: numberOf?.(i) ?? NUMBERS[i % NUMBERS.length],
    country: ['IN', 'AU', 'GB', 'US', 'IN'][i % 5],
    provider: 'exotel',
    status: 'active',
    tags: i % 2 === 0 ? ['sales'] : ['support', 'priority'],
    ...(i % 4 === 3
      ? {}
      : {
          exotelData: {
            apiKey: enc.hexPbkdf2(hex32(`exotel-key-${i}`), `exotel-key-${i}`),
            apiToken: enc.hexPbkdf2(hex32(`exotel-token-${i}`), `exotel-token-${i}`),
            sid: `troikaplus${i}`,
            subdomain: 'api.exotel.com',
          },
        }),
    createdAt: { $date: '2025-10-01T09:00:00.000Z' },
  }));
}
