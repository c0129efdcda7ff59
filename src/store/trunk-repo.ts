// Plain reads about a tenant's SIP trunk that need no decryption.
import type { Database } from './database.js';

/** How many of the tenant's phones are on the trunk row `trunkId`. */
export async function countPhonesOnTrunk(
  db: Database,
  tenantId: string,
  trunkId: string,
): Promise<number> {
  const r = await db
    .selectFrom('phones')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('trunk_id', '=', trunkId)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** What the tenant holds at its providers through telvault: its trunk and its trunk numbers. */
export async function providerResourcesOf(
  db: Database,
  tenantId: string,
): Promise<{ resource: 'trunk' | 'phone'; sid: string }[]> {
  const out: { resource: 'trunk' | 'phone'; sid: string }[] = [];
  const trunk = await db
    .selectFrom('sip_trunks')
    .select(['trunk_sid', 'credential_list_sid'])
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  const sid = trunk?.trunk_sid ?? trunk?.credential_list_sid ?? null;
  if (sid !== null) out.push({ resource: 'trunk', sid });
  const phones = await db
    .selectFrom('phones')
    .select('twilio_sid')
    .where('tenant_id', '=', tenantId)
    .where('twilio_sid', 'is not', null)
    .orderBy('id')
    .execute();
  for (const p of phones)
    if (p.twilio_sid !== null) out.push({ resource: 'phone', sid: p.twilio_sid });
  return out;
}
