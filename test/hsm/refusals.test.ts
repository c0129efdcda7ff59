// Every start-up refusal of a PKCS#11 master key names its setting and the rule, never the PIN:
// wrong PIN (first, before anything in this process logs in: a token keeps one login per
// process), missing module, absent token, missing key label, extractable key, inline PIN.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Secret } from '../../src/crypto/index.js';
import { generatePkcs11MasterKey } from '../../src/services/keys/index.js';
import { loadMasterKeys } from '../../src/services/keys/master-keys.js';
import { hsmAvailable, SOFTHSM_MODULE, startSoftHsm, type SoftHsm } from './softhsm.js';

const SETTING = 'TELVAULT_MASTER_KEY_PKCS11';

function refusal(uri: string, setting = SETTING): { code?: string; message: string } {
  try {
    loadMasterKeys(
      setting === SETTING
        ? { masterKey: undefined, masterKeyPrevious: undefined, masterKeyPkcs11: uri }
        : {
            masterKey: new Secret(randomBytes(32).toString('base64')),
            masterKeyPrevious: undefined,
            masterKeyPreviousPkcs11: uri,
          },
    );
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected a refusal');
}

/** An AES-256 key that can leave the token (what telvault must refuse to use). */
function createExtractableKey(hsm: SoftHsm, label: string): void {
  const p = new pkcs11js.PKCS11();
  p.load(SOFTHSM_MODULE);
  const [slot] = p.C_GetSlotList(true);
  if (slot === undefined) throw new Error('no token');
  const s = p.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  try {
    p.C_Login(s, pkcs11js.CKU_USER, readFileSync(hsm.pinFile, 'utf8').trim());
  } catch (err) {
    if (!String(err).includes('CKR_USER_ALREADY_LOGGED_IN')) throw err;
  }
  p.C_GenerateKey(s, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
    { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
    { type: pkcs11js.CKA_LABEL, value: label },
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: true },
    { type: pkcs11js.CKA_ENCRYPT, value: true },
    { type: pkcs11js.CKA_DECRYPT, value: true },
  ]);
  p.C_CloseSession(s);
}

describe.skipIf(!hsmAvailable)('PKCS#11 master key refusals', () => {
  let hsm: SoftHsm;
  const WRONG = 'canary-wrong-pin-7731';

  beforeAll(() => {
    hsm = startSoftHsm();
    writeFileSync(join(hsm.dir, 'wrong-pin'), `${WRONG}\n`);
  });
  afterAll(() => hsm.close());

  function expectRefusal(uri: string, rule: RegExp, setting = SETTING): void {
    const err = refusal(uri, setting);
    expect(err.code).toBe('ERR_CONFIG_INVALID');
    expect(err.message).toMatch(new RegExp(`^${setting}: `));
    expect(err.message).toMatch(rule);
    expect(err.message).not.toContain(WRONG);
    expect(err.message).not.toContain(readFileSync(hsm.pinFile, 'utf8').trim());
  }

  it('a wrong PIN', () => {
    expectRefusal(
      hsm.uri('mk', { pinFile: join(hsm.dir, 'wrong-pin') }),
      /the token refused the PIN from pin-source \(wrong PIN\)/,
    );
  });

  it('a module that does not load, a PIN file that cannot be read, a PIN in the URI', () => {
    expectRefusal(hsm.uri('mk', { module: '/nowhere/libpkcs11.so' }), /module-path/);
    expectRefusal(hsm.uri('mk', { pinFile: join(hsm.dir, 'nope') }), /PIN file \(pin-source\)/);
    expectRefusal(`${hsm.uri('mk')}&pin-value=${WRONG}`, /use pin-source=file:/);
    expectRefusal('pkcs11:object=mk?module-path=/x.so&pin-source=file:/p', /"token" is required/);
  });

  it('a token that is not present, and a key label that is not in it', () => {
    expectRefusal(hsm.uri('mk', { token: 'not-here' }), /no token labelled "not-here"/);
    expectRefusal(hsm.uri('no-such-key'), /no secret key labelled "no-such-key"/);
    // The previous key names its own variable.
    expectRefusal(hsm.uri('no-such-key'), /no secret key/, 'TELVAULT_MASTER_KEY_PREVIOUS_PKCS11');
  });

  it('a slot given both a local key and a PKCS#11 URI', () => {
    const key = randomBytes(32).toString('base64');
    for (const [name, extra] of [
      ['TELVAULT_MASTER_KEY', {}],
      ['TELVAULT_MASTER_KEY_PREVIOUS', { TELVAULT_MASTER_KEY: key }],
    ] as const) {
      const err = (() => {
        try {
          loadConfig({ ...extra, [name]: key, [`${name}_PKCS11`]: hsm.uri('mk') });
        } catch (e) {
          return e as { code?: string; message: string };
        }
        throw new Error('expected a refusal');
      })();
      expect(err.code).toBe('ERR_CONFIG_INVALID');
      expect(err.message).toContain(`${name}_PKCS11 are both set`);
      expect(err.message).not.toContain(key);
    }
  });

  it('an extractable key (and keygen never makes one)', () => {
    createExtractableKey(hsm, 'mk-extractable');
    expectRefusal(hsm.uri('mk-extractable'), /extractable \(CKA_EXTRACTABLE true\)/);
    expect(generatePkcs11MasterKey(SETTING, hsm.uri('mk-good'))).toMatch(/^mk_[0-9a-f]{16}$/);
  });
});
