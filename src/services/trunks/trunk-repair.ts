// Repair: every Retell number of the tenant that belongs to this trunk (its termination URI is the
// trunk's domain, or telvault put it on the trunk) must hold the trunk's termination URI and the
// current SIP username and password. A number whose `auth_username` is missing, empty or another,
// or whose termination URI is wrong, is updated with all three, always (providers.md §4, §9.8).
// Twilio and Retell never return the password: it comes from telvault's own record.
import type { TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { RetellClient } from '../../providers/retell/index.js';
import type { EncryptedRecords, StoredRecord } from '../records/index.js';
import { currentSipAuth, terminationHost } from './trunk-record.js';
import { str } from './trunk-state.js';

export interface RepairResult {
  total: number;
  fixed: number;
  alreadyOk: number;
  failed: number;
  dryRun: boolean;
  results: {
    phoneNumber: string;
    action: 'fixed' | 'ok' | 'failed' | 'would-fix';
    authUsername?: string;
    reason?: string;
  }[];
}

/** The ids of the tenant's phones on the trunk. */
export async function trunkPhoneIds(
  records: EncryptedRecords,
  tenantId: TenantId,
  trunkId: string,
): Promise<string[]> {
  const out: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await records.page('phones', tenantId, {
      after,
      limit: 200,
      where: { trunk_id: trunkId },
    });
    out.push(...page.map((p) => p.row.id));
    if (page.length < 200) return out;
    after = page.at(-1)?.row.id;
  }
}

/** The numbers of the tenant's phones on the trunk, opened (E.164). */
export async function trunkPhoneNumbers(
  records: EncryptedRecords,
  tenantId: TenantId,
  trunkId: string,
): Promise<Set<string>> {
  const out = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const page = await records.page('phones', tenantId, {
      after,
      limit: 200,
      where: { trunk_id: trunkId },
    });
    for (const p of page) {
      const n = await records.open('phones', tenantId, p, 'number');
      if (n !== undefined) out.add(n.reveal());
    }
    if (page.length < 200) return out;
    after = page.at(-1)?.row.id;
  }
}

export async function repairNumbers(input: {
  records: EncryptedRecords;
  tenantId: TenantId;
  trunk: StoredRecord;
  retell: RetellClient;
  dryRun: boolean;
  only: string | undefined;
  progress: (done: number, total: number) => Promise<void>;
  /** Called before each Retell write (renews the trunk lease). */
  beforeWrite: () => Promise<void>;
}): Promise<RepairResult> {
  const { records, tenantId, trunk, retell } = input;
  const domain = str(trunk, 'domain_name');
  if (domain === null) throw new TelvaultError('ERR_TRUNK_CONFLICT', 'the trunk has no domain yet');
  const auth = await currentSipAuth(records, tenantId, trunk);
  const ours = await trunkPhoneNumbers(records, tenantId, trunk.row.id);
  const all = await retell.listNumbers();
  const mine = all.filter(
    (n) =>
      (input.only === undefined || n.phoneNumber === input.only) &&
      (terminationHost(n.terminationUri) === domain.toLowerCase() || ours.has(n.phoneNumber)),
  );
  const result: RepairResult = {
    total: mine.length,
    fixed: 0,
    alreadyOk: 0,
    failed: 0,
    dryRun: input.dryRun,
    results: [],
  };
  let done = 0;
  for (const n of mine) {
    const okNow =
      n.authUsername === auth.username &&
      terminationHost(n.terminationUri) === domain.toLowerCase();
    if (okNow) {
      result.alreadyOk += 1;
      result.results.push({
        phoneNumber: n.phoneNumber,
        action: 'ok',
        authUsername: auth.username,
      });
    } else if (input.dryRun) {
      result.results.push({
        phoneNumber: n.phoneNumber,
        action: 'would-fix',
        reason:
          n.authUsername === null || n.authUsername === ''
            ? 'no auth username'
            : n.authUsername !== auth.username
              ? 'another auth username'
              : 'termination URI is not the trunk',
      });
    } else {
      try {
        await input.beforeWrite();
        await retell.updateNumber(n.phoneNumber, {
          terminationUri: domain,
          sipAuth: { username: auth.username, password: auth.password },
        });
        result.fixed += 1;
        result.results.push({
          phoneNumber: n.phoneNumber,
          action: 'fixed',
          authUsername: auth.username,
        });
      } catch (err) {
        result.failed += 1;
        result.results.push({
          phoneNumber: n.phoneNumber,
          action: 'failed',
          reason: err instanceof TelvaultError ? err.code : 'ERR_INTERNAL',
        });
      }
    }
    done += 1;
    if (done % 20 === 0 || done === mine.length) await input.progress(done, mine.length);
  }
  return result;
}
