// twilio_subaccounts: a tenant's Twilio sub-account under the platform's account. The friendly
// name is written before Twilio is asked to create the sub-account (the intent a re-run looks it
// up by), the sid once it is stored as the tenant's credentials. The lease makes one process at a
// time provision a tenant's sub-account: taken when free or expired, given back by its holder.
import type { Database, TwilioSubaccountsTable } from './database.js';

export type TwilioSubaccountRow = TwilioSubaccountsTable;

export async function findTwilioSubaccount(
  db: Database,
  tenantId: string,
): Promise<TwilioSubaccountRow | undefined> {
  return db
    .selectFrom('twilio_subaccounts')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
}

/** Records the intent (the friendly name) unless the tenant has a row already. */
export async function insertTwilioSubaccountIfAbsent(
  db: Database,
  tenantId: string,
  friendlyName: string,
  at: string,
): Promise<void> {
  await db
    .insertInto('twilio_subaccounts')
    .values({
      tenant_id: tenantId,
      friendly_name: friendlyName,
      account_sid: null,
      lease_owner: null,
      lease_expires_at: null,
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) => oc.column('tenant_id').doNothing())
    .execute();
}

/** Takes the lease when it is free or expired; false when another holder has it. */
export async function claimTwilioSubaccount(
  db: Database,
  tenantId: string,
  owner: string,
  now: string,
  until: string,
): Promise<boolean> {
  const r = await db
    .updateTable('twilio_subaccounts')
    .set({ lease_owner: owner, lease_expires_at: until, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_expires_at', '<', now)]))
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Gives the lease back, recording the sid when one is given; only its holder can. */
export async function releaseTwilioSubaccount(
  db: Database,
  tenantId: string,
  owner: string,
  at: string,
  accountSid?: string,
): Promise<void> {
  await db
    .updateTable('twilio_subaccounts')
    .set({
      lease_owner: null,
      lease_expires_at: null,
      updated_at: at,
      ...(accountSid === undefined ? {} : { account_sid: accountSid }),
    })
    .where('tenant_id', '=', tenantId)
    .where('lease_owner', '=', owner)
    .execute();
}
