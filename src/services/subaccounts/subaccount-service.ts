// A tenant's Twilio sub-account under the platform's parent account, stored as the tenant's Twilio
// credentials. Converges: the friendly name (derived from the tenant id) is recorded before Twilio
// is asked, and Twilio is always asked for an active sub-account of that name before one is
// created, so a re-run after a crash at any point adopts what the first run made. One run at a
// time per tenant: a request arriving during a run in this process joins it; another process's
// run holds the row's lease, and the request answers 409 to be retried. A second call once the
// credentials are stored answers from the database, asking Twilio nothing.
//
// It never replaces credentials of another account: a tenant whose stored Twilio credentials name
// an account other than its sub-account gets 409, naming what to delete.
import type { TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import { ProviderError } from '../../providers/provider-error.js';
import type { TwilioClient } from '../../providers/twilio/index.js';
import type { Database } from '../../store/database.js';
import {
  claimTwilioSubaccount,
  findTwilioSubaccount,
  insertTwilioSubaccountIfAbsent,
  releaseTwilioSubaccount,
} from '../../store/twilio-subaccount-repo.js';
import { newId, nowIso } from '../../store/time.js';
import type { Actor } from '../audit/actor.js';
import type { AuditService } from '../audit/audit-service.js';
import type { CredentialService } from '../credentials/credential-service.js';
import type { ProviderClients } from '../credentials/provider-clients.js';
import { parseCredentialInput } from '../credentials/providers.js';
import { subaccountName } from './subaccount-names.js';

export interface SubaccountView {
  accountSid: string;
  friendlyName: string;
  /** True when this call created it at Twilio (false: it existed, and was adopted or kept). */
  created: boolean;
}

export interface SubaccountServiceDeps {
  db: Database;
  clients: Pick<ProviderClients, 'platformTwilio'>;
  credentials: Pick<CredentialService, 'get' | 'put'>;
  audit: Pick<AuditService, 'record'>;
  tenantExists: (tenantId: string) => Promise<boolean>;
  /** How long a run may hold a tenant's lease (default 60 s: more than its two calls' timeouts). */
  leaseMs?: number;
  clock?: () => number;
}

/** The `operation` the platform credentials' use is audited with. Do not change. */
export const SUBACCOUNT_OPERATION = 'twilio.subaccount';

interface TwilioAccount {
  sid: string;
  authToken: string | null;
  dateCreated: Date;
}

const busy = () =>
  new TelvaultError(
    'ERR_CONFLICT',
    "this tenant's Twilio sub-account is being set up by another request: retry shortly",
  );

const foreignAccount = () =>
  new TelvaultError(
    'ERR_CONFLICT',
    "the tenant's Twilio credentials name another account: DELETE /v1/tenants/:tenantId/credentials/twilio first to use a sub-account",
  );

/** Twilio answered an account without its token (it shows one to the parent account). */
const noToken = (operation: string) =>
  new ProviderError('ERR_PROVIDER_REJECTED', {
    provider: 'twilio',
    operation,
    status: undefined,
    providerCode: undefined,
    retryable: false,
    reason: "the sub-account's auth token was not in the answer",
  });

/** The oldest of several (a duplicate made outside telvault): every run picks the same one. */
function oldest(accounts: readonly TwilioAccount[]): TwilioAccount | undefined {
  return [...accounts].sort(
    (a, b) => a.dateCreated.getTime() - b.dateCreated.getTime() || a.sid.localeCompare(b.sid),
  )[0];
}

export function createSubaccountService(deps: SubaccountServiceDeps) {
  const { db } = deps;
  const leaseMs = deps.leaseMs ?? 60_000;
  const clock = deps.clock ?? Date.now;
  const running = new Map<string, Promise<SubaccountView>>();

  /** The account sid of the tenant's stored Twilio credentials (a public field: no decryption). */
  async function storedSid(tenantId: TenantId): Promise<string | undefined> {
    try {
      const view = await deps.credentials.get(tenantId, 'twilio', false);
      return typeof view['accountSid'] === 'string' ? view['accountSid'] : undefined;
    } catch (err) {
      if (err instanceof TelvaultError && err.code === 'ERR_NOT_FOUND') return undefined;
      throw err;
    }
  }

  /** Asks Twilio, adopts or creates, stores; under the tenant's lease. */
  async function provision(
    client: TwilioClient,
    tenantId: TenantId,
    friendlyName: string,
    stored: string | undefined,
    actor: Actor,
  ): Promise<SubaccountView> {
    const found = await client.run('accounts.list', (sdk) =>
      sdk.api.v2010.accounts.list({ friendlyName, status: 'active' }),
    );
    let account = oldest(found);
    if (stored !== undefined) {
      if (account?.sid !== stored) throw foreignAccount();
      return { accountSid: stored, friendlyName, created: false };
    }
    const created = account === undefined;
    account ??= await client.run('accounts.create', (sdk) =>
      sdk.api.v2010.accounts.create({ friendlyName }),
    );
    if (typeof account.authToken !== 'string' || account.authToken === '') {
      throw noToken(created ? 'accounts.create' : 'accounts.list');
    }
    const input = parseCredentialInput('twilio', {
      accountSid: account.sid,
      authToken: account.authToken,
    });
    await deps.credentials.put(tenantId, 'twilio', input, actor);
    await deps.audit.record({
      tenantId,
      actor,
      action: created ? 'twilio.subaccount.create' : 'twilio.subaccount.adopt',
      target: `twilio-account:${account.sid}`,
      detail: { friendlyName },
    });
    return { accountSid: account.sid, friendlyName, created };
  }

  async function run(tenantId: TenantId, actor: Actor): Promise<SubaccountView> {
    if (!(await deps.tenantExists(tenantId))) {
      throw new TelvaultError('ERR_NOT_FOUND', 'tenant not found');
    }
    const friendlyName = subaccountName(tenantId);
    const stored = await storedSid(tenantId);
    const row = await findTwilioSubaccount(db, tenantId);
    if (stored !== undefined && row?.account_sid === stored) {
      return { accountSid: stored, friendlyName: row.friendly_name, created: false };
    }
    // Write-ahead: the name is on record before Twilio is asked to make anything.
    await insertTwilioSubaccountIfAbsent(db, tenantId, friendlyName, nowIso(clock));
    const owner = newId();
    const now = clock();
    const claimed = await claimTwilioSubaccount(
      db,
      tenantId,
      owner,
      nowIso(() => now),
      nowIso(() => now + leaseMs),
    );
    if (!claimed) throw busy();
    let sid: string | undefined;
    try {
      const client = await deps.clients.platformTwilio(SUBACCOUNT_OPERATION, actor, tenantId);
      // Read again under the lease: a run that held it before may have stored them meanwhile.
      const result = await provision(
        client,
        tenantId,
        friendlyName,
        await storedSid(tenantId),
        actor,
      );
      sid = result.accountSid;
      return result;
    } finally {
      await releaseTwilioSubaccount(db, tenantId, owner, nowIso(clock), sid);
    }
  }

  return {
    /**
     * Creates the tenant's Twilio sub-account, or adopts the active one of its name, and stores it
     * as the tenant's Twilio credentials; once stored, answers it again and does nothing.
     */
    ensure(tenantId: TenantId, actor: Actor): Promise<SubaccountView> {
      const joined = running.get(tenantId);
      if (joined !== undefined) return joined;
      const started = run(tenantId, actor).finally(() => running.delete(tenantId));
      running.set(tenantId, started);
      return started;
    },
  };
}

export type SubaccountService = ReturnType<typeof createSubaccountService>;
