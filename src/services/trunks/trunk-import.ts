// A trunk brought in by `telvault import`: recorded as `imported` with the platform's trunk sid, its
// SIP username and the password sealed, with no provider call. The first setup (PUT …/trunk)
// adopts it: the trunk by its sid, the credential by its username, the password as imported.
import type { Secret, TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { TwilioClient } from '../../providers/twilio/index.js';
import type { Actor } from '../audit/actor.js';
import type { EncryptedRecords, StoredRecord } from '../records/index.js';
import { PASSWORD_FIELD, TRUNK_TABLE } from './trunk-record.js';
import type { TrunkSetup } from './trunk-schemas.js';
import { stateOf, str } from './trunk-state.js';

export interface ImportedTrunkInput {
  trunkSid: string;
  domainName: string | null;
  /** The Twilio account the trunk is in, when the source names it ('' otherwise). */
  accountSid: string;
  username: string;
  password: Secret<string>;
}

const setUp = () =>
  new TelvaultError(
    'ERR_TRUNK_CONFLICT',
    'trunk: the tenant already has a trunk set up; an import does not change it',
  );

/** Records (or re-records, while still `imported`) the tenant's imported trunk. */
export async function recordImportedTrunk(
  records: EncryptedRecords,
  tenantId: TenantId,
  input: ImportedTrunkInput,
  actor: Actor,
): Promise<StoredRecord> {
  return records.write({
    table: TRUNK_TABLE,
    tenantId,
    key: {},
    plan: (existing) => {
      if (existing !== undefined && stateOf(existing) !== 'imported') throw setUp();
      return {
        seal: { [PASSWORD_FIELD]: input.password },
        keep: [],
        columns: {
          state: 'imported',
          twilio_account_sid: input.accountSid,
          trunk_sid: input.trunkSid,
          domain_name: input.domainName,
          termination_uri: input.domainName,
          username: input.username,
          steps_json: '{}',
          origination_json: '[]',
        },
        ...(existing === undefined ? {} : { expect: { state: 'imported' } }),
        audit: {
          actor,
          action: 'trunk.import',
          target: 'trunk',
          detail: { trunkSid: input.trunkSid },
        },
      };
    },
  });
}

/**
 * What the first setup of an imported trunk adopts: its trunk, the credential with its username
 * (found with reads only), and the imported password. The account sid is recorded first.
 */
export async function importedAdopt(
  records: EncryptedRecords,
  client: TwilioClient,
  tenantId: TenantId,
  row: StoredRecord,
  actor: Actor,
): Promise<NonNullable<TrunkSetup['adopt']>> {
  const trunkSid = str(row, 'trunk_sid');
  const username = str(row, 'username');
  const password = await records.open(TRUNK_TABLE, tenantId, row, PASSWORD_FIELD);
  if (trunkSid === null || username === null || password === undefined) {
    throw new TelvaultError(
      'ERR_INTERNAL',
      'trunks: an imported trunk lacks its sid or credential',
    );
  }
  let credentialSid: string | undefined;
  const lists = await client.run('trunks.credentialLists.list', (sdk) =>
    sdk.trunking.v1.trunks(trunkSid).credentialsLists.list(),
  );
  for (const l of lists) {
    const creds = await client.run('sip.credentials.list', (sdk) =>
      sdk.api.v2010.accounts(client.accountSid).sip.credentialLists(l.sid).credentials.list(),
    );
    credentialSid ??= creds.find((c) => c.username === username)?.sid;
  }
  if (str(row, 'twilio_account_sid') !== client.accountSid) {
    await records.write({
      table: TRUNK_TABLE,
      tenantId,
      key: {},
      plan: () => ({
        seal: {},
        keep: [PASSWORD_FIELD],
        columns: { twilio_account_sid: client.accountSid },
        expect: { state: 'imported' },
        audit: { actor, action: 'trunk.import.account', target: 'trunk' },
      }),
    });
  }
  return { trunkSid, password, ...(credentialSid === undefined ? {} : { credentialSid }) };
}
