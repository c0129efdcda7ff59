// `telvault keygen --pkcs11 <uri>`: creates the master key inside the token, an AES-256 key that is
// sensitive and never extractable, usable only to encrypt and decrypt. Refuses to replace a key
// with the same label (that would lose every key it wraps).
import { TelvaultError } from '../../../errors.js';
import { openPkcs11MasterKey } from './pkcs11-master-key.js';
import { parsePkcs11Uri } from './pkcs11-uri.js';
import { ck, closeTokenSession, findSecretKeys, openTokenSession } from './pkcs11-token.js';

/** Creates the key the URI names; returns its master key id (`mk_` + 16 hex). */
export function generatePkcs11MasterKey(setting: string, text: string): string {
  const uri = parsePkcs11Uri(setting, text);
  const s = openTokenSession(setting, uri, true);
  try {
    if (findSecretKeys(s, uri.object).length > 0) {
      throw new TelvaultError(
        'ERR_CONFLICT',
        `${setting}: token "${uri.token}" already holds a key labelled "${uri.object}": refusing to replace it (choose another label)`,
      );
    }
    s.p.C_GenerateKey(s.session, { mechanism: ck.CKM_AES_KEY_GEN }, [
      { type: ck.CKA_CLASS, value: ck.CKO_SECRET_KEY },
      { type: ck.CKA_KEY_TYPE, value: ck.CKK_AES },
      { type: ck.CKA_VALUE_LEN, value: 32 },
      { type: ck.CKA_LABEL, value: uri.object },
      { type: ck.CKA_TOKEN, value: true },
      { type: ck.CKA_PRIVATE, value: true },
      { type: ck.CKA_SENSITIVE, value: true },
      { type: ck.CKA_EXTRACTABLE, value: false },
      { type: ck.CKA_ENCRYPT, value: true },
      { type: ck.CKA_DECRYPT, value: true },
      { type: ck.CKA_WRAP, value: false },
      { type: ck.CKA_UNWRAP, value: false },
    ]);
  } finally {
    closeTokenSession(s);
  }
  return openPkcs11MasterKey(setting, text).id;
}
