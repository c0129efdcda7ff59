// The PKCS#11 master-key provider against a real SoftHSM2 token: keygen, the key's attributes in
// the token, wrapping in the token with the local format (refusals: refusals.test.ts).
import { readFileSync } from 'node:fs';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asTenantId, unwrapKey, wrapKey, generateKeyMaterial } from '../../src/crypto/index.js';
import { masterKeyProvider } from '../../src/crypto/master-key.js';
import { generatePkcs11MasterKey } from '../../src/services/keys/index.js';
import { loadMasterKeys } from '../../src/services/keys/master-keys.js';
import { openPkcs11MasterKey } from '../../src/services/keys/pkcs11/pkcs11-master-key.js';
import { hsmAvailable, SOFTHSM_MODULE, startSoftHsm, type SoftHsm } from './softhsm.js';

const SETTING = 'TELVAULT_MASTER_KEY_PKCS11';
const ctx = { tenantId: asTenantId('t1'), purpose: 'data', version: 1 } as const;

function failure(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe.skipIf(!hsmAvailable)('PKCS#11 master key on SoftHSM2', () => {
  let hsm: SoftHsm;
  let id: string;

  beforeAll(() => {
    hsm = startSoftHsm();
    id = generatePkcs11MasterKey(SETTING, hsm.uri('mk-one'));
  });
  afterAll(() => hsm.close());

  it('keygen creates a key whose id is stable and refuses to replace its label', () => {
    expect(id).toMatch(/^mk_[0-9a-f]{16}$/);
    expect(openPkcs11MasterKey(SETTING, hsm.uri('mk-one')).id).toBe(id);
    const again = failure(() => generatePkcs11MasterKey(SETTING, hsm.uri('mk-one')));
    expect(again.code).toBe('ERR_CONFLICT');
    expect(again.message).toContain('mk-one');
    expect(openPkcs11MasterKey(SETTING, hsm.uri('mk-one')).id).toBe(id);
    // Another key, another id.
    expect(generatePkcs11MasterKey(SETTING, hsm.uri('mk-two'))).not.toBe(id);
  });

  it('the key in the token is sensitive, not extractable, and its value cannot be read', () => {
    const p = new pkcs11js.PKCS11();
    p.load(SOFTHSM_MODULE);
    const slot = p.C_GetSlotList(true).find((s) => p.C_GetTokenInfo(s).label.trim() === 'tv-main');
    if (slot === undefined) throw new Error('no token');
    const session = p.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    try {
      p.C_Login(session, pkcs11js.CKU_USER, readFileSync(hsm.pinFile, 'utf8').trim());
    } catch (err) {
      if (!String(err).includes('CKR_USER_ALREADY_LOGGED_IN')) throw err;
    }
    p.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_LABEL, value: 'mk-one' }]);
    const [key] = p.C_FindObjects(session, 2);
    p.C_FindObjectsFinal(session);
    if (key === undefined) throw new Error('no key');
    const [extractable, sensitive] = p.C_GetAttributeValue(session, key, [
      { type: pkcs11js.CKA_EXTRACTABLE },
      { type: pkcs11js.CKA_SENSITIVE },
    ]);
    expect(extractable?.value).toEqual(Buffer.of(0));
    expect(sensitive?.value).toEqual(Buffer.of(1));
    expect(() => p.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_VALUE }])).toThrow(
      /CKR_ATTRIBUTE_SENSITIVE/,
    );
    p.C_CloseSession(session);
  });

  it('wraps in the token in the local format, bound to the same associated data', () => {
    const master = loadMasterKeys({
      masterKey: undefined,
      masterKeyPrevious: undefined,
      masterKeyPkcs11: hsm.uri('mk-one'),
    }).current;
    expect(master.id).toBe(id);
    expect(masterKeyProvider(master)).toBe('pkcs11');
    const material = generateKeyMaterial();
    const wrapped = wrapKey(master, material, ctx);
    expect(wrapped).toMatch(new RegExp(`^tvk1\\.${id}\\.[A-Za-z0-9_-]{80}$`));
    expect(Buffer.from(unwrapKey([master], wrapped, ctx))).toEqual(Buffer.from(material));
    const codeOf = (fn: () => unknown) => failure(fn).code;
    expect(codeOf(() => unwrapKey([master], wrapped, { ...ctx, version: 2 }))).toBe(
      'ERR_CRYPTO_DECRYPT_FAILED',
    );
    expect(codeOf(() => unwrapKey([master], wrapped, { ...ctx, tenantId: asTenantId('t2') }))).toBe(
      'ERR_CRYPTO_DECRYPT_FAILED',
    );
    // Still usable after a tag failure.
    expect(Buffer.from(unwrapKey([master], wrapped, ctx))).toEqual(Buffer.from(material));
  });
});
