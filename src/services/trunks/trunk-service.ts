// The tenant's Twilio Elastic SIP trunk for Retell: set up (or adopted) by a workflow that
// converges whatever step it crashed at and however many nodes run it at once, and shown with a
// live comparison against what Twilio shows. The Twilio credentials are the tenant's stored ones;
// every decryption for use is audited by the credential service.
import { Secret, type TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import { ProviderError } from '../../providers/provider-error.js';
import type { Database } from '../../store/database.js';
import { countPhonesOnTrunk } from '../../store/trunk-repo.js';
import type { Actor } from '../audit/actor.js';
import type { AuditService } from '../audit/audit-service.js';
import type { ProviderClients } from '../credentials/provider-clients.js';
import type { EncryptedRecords, StoredRecord } from '../records/index.js';
import { RETELL_SIP_URI } from './trunk-names.js';
import {
  currentSipAuth,
  ensureTrunkRow,
  PASSWORD_FIELD,
  terminationHost,
  TRUNK_TABLE,
} from './trunk-record.js';
import type { TrunkSetup, TrunkView } from './trunk-schemas.js';
import { originationsOf, stateOf, str } from './trunk-state.js';
import { checkAdopt } from './trunk-steps.js';
import { importedAdopt, recordImportedTrunk, type ImportedTrunkInput } from './trunk-import.js';
import { trunkViewOf } from './trunk-views.js';
import {
  acquireTrunkLease,
  DEFAULT_TIMING,
  providerTimeoutFor,
  runTrunkSetup,
  withTrunkLease,
  type TrunkTiming,
} from './trunk-workflow.js';
import { createTrunkJobs, type JobView } from './trunk-jobs.js';
import { repairNumbers, trunkPhoneNumbers, type RepairResult } from './trunk-repair.js';
import { maskPhones, maskPhonesIn } from '../common/index.js';
import { rotateTrunkPassword } from './trunk-rotation.js';
import { offboardTrunk, type OffboardResult } from './trunk-offboard.js';
import type { TrunkRepair } from './trunk-schemas.js';
import {
  normalizePhoneNumber,
  PHONE_NUMBER_TYPES,
  type PhoneService,
  type PhoneView,
} from '../phones/index.js';
import { runIdempotent, type IdempotencyService } from '../idempotency/index.js';
import { attachNumber, placeOnRetell, purchaseNumber, removeNumber } from './trunk-numbers.js';
import type { PhoneAttach, PhonePurchase } from './trunk-schemas.js';
import './errors.js';

/** The `operation` the credential decryptions are audited with. Do not change. */
export const TRUNK_SETUP = 'trunk.setup';
export const TRUNK_CHECK = 'trunk.check';
export const TRUNK_REPAIR = 'trunk.repair';
export const TRUNK_ROTATE = 'trunk.rotate-password';
export const TRUNK_NUMBERS = 'trunk.numbers';
export const TRUNK_OFFBOARD = 'trunk.offboard';
export const PURCHASE_ROUTE = '/v1/tenants/:tenantId/phones/purchase';

/** How long `?wait=true` waits for a job before answering 202. */
export const JOB_WAIT_MS = 60_000;

export interface TrunkServiceDeps {
  db: Database;
  records: EncryptedRecords;
  clients: Pick<ProviderClients, 'twilio' | 'retell'>;
  audit: Pick<AuditService, 'record'>;
  phones: PhoneService;
  idempotency: IdempotencyService;
  timing?: Partial<TrunkTiming> | undefined;
  /** Where inbound calls go (default Retell's SIP server). */
  originationUri?: string | undefined;
}

/** Whether the viewer sees phone numbers in full (the tenant) or masked (root, the CLI). */
export interface ShowNumbers {
  showNumbers: boolean;
}

const notFound = () => new TelvaultError('ERR_TRUNK_NOT_FOUND', 'the tenant has no SIP trunk yet');

export function createTrunkService(deps: TrunkServiceDeps) {
  const { db, records } = deps;
  const timing: TrunkTiming = { ...DEFAULT_TIMING, ...deps.timing };
  const tuning = { timeoutMs: providerTimeoutFor(timing) };
  const defaultOrigination = deps.originationUri ?? RETELL_SIP_URI;
  const jobs = createTrunkJobs({ db, records });

  async function ready(tenantId: TenantId): Promise<StoredRecord> {
    const r = await find(tenantId);
    if (stateOf(r) !== 'ready') {
      throw new TelvaultError(
        'ERR_TRUNK_CONFLICT',
        `the trunk is ${stateOf(r)}: run PUT /v1/tenants/${tenantId}/trunk to finish its setup first`,
      );
    }
    return r;
  }

  /**
   * A job as its viewer may see it: results name phone numbers, shown in full to the tenant and
   * masked to the root token and the operator's CLI (the rule phone views follow).
   */
  async function jobFor(tenantId: TenantId, jobId: string, show: ShowNumbers): Promise<JobView> {
    const job = await jobs.get(tenantId, jobId);
    return show.showNumbers ? job : maskPhonesIn(job);
  }

  /** Starts a job (or joins the unfinished one) and, with `wait`, waits for it (bounded). */
  async function jobAnswer(
    tenantId: TenantId,
    begun: { jobId: string },
    wait: boolean,
    show: ShowNumbers,
  ): Promise<JobView> {
    if (wait) await jobs.wait(begun.jobId, JOB_WAIT_MS);
    return jobFor(tenantId, begun.jobId, show);
  }

  const view = async (r: StoredRecord, notes?: string[]) =>
    trunkViewOf(r, await countPhonesOnTrunk(db, r.row.tenant_id, r.row.id), notes);

  /** Recorded by an import, not adopted, no number on it: nothing at a provider is ours. */
  async function isBareImport(tenantId: TenantId, trunk: StoredRecord): Promise<boolean> {
    if (stateOf(trunk) !== 'imported') return false;
    return (await countPhonesOnTrunk(db, tenantId, trunk.row.id)) === 0;
  }

  async function find(tenantId: TenantId): Promise<StoredRecord> {
    const r = await records.find(TRUNK_TABLE, tenantId, {});
    if (r === undefined) throw notFound();
    return r;
  }

  /** What Twilio and Retell show now against what is recorded: one entry per difference. */
  async function liveDrift(tenantId: TenantId, r: StoredRecord, actor: Actor) {
    const drift: { resource: string; problem: string }[] = [];
    const client = await deps.clients.twilio(tenantId, TRUNK_CHECK, actor, tuning);
    const trunkSid = str(r, 'trunk_sid');
    if (trunkSid === null) return [{ resource: 'trunk', problem: 'not set up yet' }];
    try {
      const t = await client.run('trunks.fetch', (sdk) => sdk.trunking.v1.trunks(trunkSid).fetch());
      if (t.domainName !== str(r, 'domain_name')) {
        drift.push({ resource: 'trunk', problem: `domain is ${t.domainName} at Twilio` });
      }
    } catch (err) {
      if (err instanceof ProviderError && err.code === 'ERR_PROVIDER_NOT_FOUND') {
        return [{ resource: 'trunk', problem: `trunk ${trunkSid} is gone at Twilio` }];
      }
      throw err;
    }
    const listSid = str(r, 'credential_list_sid');
    const lists = await client.run('trunks.credentialLists.list', (sdk) =>
      sdk.trunking.v1.trunks(trunkSid).credentialsLists.list(),
    );
    if (listSid !== null && !lists.some((l) => l.sid === listSid)) {
      drift.push({
        resource: 'credentialList',
        problem: `${listSid} is not associated with the trunk`,
      });
    }
    const credSid = str(r, 'credential_sid');
    if (listSid !== null && credSid !== null) {
      try {
        const creds = await client.run('sip.credentials.list', (sdk) =>
          sdk.api.v2010.accounts(client.accountSid).sip.credentialLists(listSid).credentials.list(),
        );
        const c = creds.find((x) => x.sid === credSid);
        if (c === undefined) {
          drift.push({ resource: 'credential', problem: `${credSid} is gone from the list` });
        } else if (c.username !== str(r, 'username')) {
          drift.push({ resource: 'credential', problem: `username is ${c.username} at Twilio` });
        }
      } catch (err) {
        if (!(err instanceof ProviderError && err.code === 'ERR_PROVIDER_NOT_FOUND')) throw err;
        drift.push({ resource: 'credentialList', problem: `${listSid} is gone at Twilio` });
      }
    }
    // Retell: every number telvault put on the trunk, as Retell shows it under the tenant's key.
    const numbers = await trunkPhoneNumbers(records, tenantId, r.row.id);
    if (numbers.size > 0) {
      const retell = await deps.clients.retell(tenantId, TRUNK_CHECK, actor, tuning);
      const auth = await currentSipAuth(records, tenantId, r);
      const domain = (str(r, 'domain_name') ?? '').toLowerCase();
      const shown = new Map((await retell.listNumbers()).map((n) => [n.phoneNumber, n]));
      for (const n of numbers) {
        const at = shown.get(n);
        const resource = `retellNumber:${maskPhones(n)}`;
        if (at === undefined)
          drift.push({ resource, problem: 'not on Retell under the tenant key' });
        else if (at.authUsername === null || at.authUsername === '')
          drift.push({ resource, problem: 'no auth username (repair fixes it)' });
        else if (at.authUsername !== auth.username)
          drift.push({ resource, problem: 'another auth username (repair fixes it)' });
        else if (terminationHost(at.terminationUri) !== domain)
          drift.push({ resource, problem: 'termination URI is not the trunk (repair fixes it)' });
      }
    }
    const urls = await client.run('trunks.originationUrls.list', (sdk) =>
      sdk.trunking.v1.trunks(trunkSid).originationUrls.list(),
    );
    for (const o of originationsOf(r)) {
      const u = urls.find((x) => x.sid === o.sid);
      if (u === undefined) drift.push({ resource: 'originationUrl', problem: `${o.sid} is gone` });
      else if (!u.enabled)
        drift.push({ resource: 'originationUrl', problem: `${o.sid} is disabled` });
      else if (u.sipUrl !== o.sipUrl)
        drift.push({ resource: 'originationUrl', problem: `${o.sid} points at ${u.sipUrl}` });
    }
    return drift;
  }

  return {
    /** Runs the setup workflow to the end (or joins the run in flight); the trunk as left. */
    async setup(tenantId: TenantId, asked: TrunkSetup, actor: Actor): Promise<TrunkView> {
      const client = await deps.clients.twilio(tenantId, TRUNK_SETUP, actor, tuning);
      const existing = await records.find(TRUNK_TABLE, tenantId, {});
      // An imported trunk is adopted as it was imported, unless the request names what to adopt.
      const input: TrunkSetup =
        existing !== undefined && stateOf(existing) === 'imported' && asked.adopt === undefined
          ? { ...asked, adopt: await importedAdopt(records, client, tenantId, existing, actor) }
          : asked;
      if (input.adopt !== undefined) {
        const recorded = existing === undefined ? null : str(existing, 'trunk_sid');
        if (recorded !== null && recorded !== input.adopt.trunkSid) {
          throw new TelvaultError(
            'ERR_TRUNK_CONFLICT',
            `adopt.trunkSid: the tenant already has trunk ${recorded}; delete it first`,
          );
        }
        await checkAdopt(client, input.adopt);
      }
      if (existing === undefined) await ensureTrunkRow(records, tenantId, client.accountSid, actor);
      const got = await acquireTrunkLease(db, tenantId, timing);
      if (got.lease === undefined) {
        // Joined a run in flight: its result is ours.
        const r = await find(tenantId);
        if (stateOf(r) === 'failed') {
          throw new TelvaultError(
            'ERR_TRUNK_SETUP_FAILED',
            `trunk setup failed at step ${str(r, 'failed_step') ?? '?'}: GET the trunk for the provider's code, then run it again`,
          );
        }
        return view(r);
      }
      const uri =
        input.inbound?.originationUri ??
        originationsOf(await find(tenantId))[0]?.sipUrl ??
        defaultOrigination;
      const result = await runTrunkSetup(
        { db, records, timing },
        tenantId,
        got.lease,
        client,
        input,
        uri,
        actor,
      );
      return view(result.record, result.notes);
    },

    /**
     * Records a trunk `telvault import` brought in (state `imported`, no provider call); the next
     * setup adopts it. ERR_TRUNK_CONFLICT once the tenant's trunk is set up.
     */
    /**
     * What an import writes to the tenant's imported trunk, as it holds it (the password opened
     * in-process, wrapped), for the import to compare; never returned by a route. undefined: no
     * trunk, or one that is no longer `imported` (an import does not change it).
     */
    async heldImported(tenantId: TenantId): Promise<Record<string, Secret<string>> | undefined> {
      const r = await records.find(TRUNK_TABLE, tenantId, {});
      if (r === undefined || stateOf(r) !== 'imported') return undefined;
      const password = await records.open(TRUNK_TABLE, tenantId, r, PASSWORD_FIELD);
      return {
        trunkSid: new Secret(str(r, 'trunk_sid') ?? ''),
        domainName: new Secret(str(r, 'domain_name') ?? ''),
        accountSid: new Secret(str(r, 'twilio_account_sid') ?? ''),
        username: new Secret(str(r, 'username') ?? ''),
        ...(password === undefined ? {} : { password }),
      };
    },

    async recordImported(
      tenantId: TenantId,
      input: ImportedTrunkInput,
      actor: Actor,
    ): Promise<TrunkView> {
      return view(await recordImportedTrunk(records, tenantId, input, actor));
    },

    /** Repairs the SIP auth of the tenant's Retell numbers on the trunk, as a job. */
    async repair(
      tenantId: TenantId,
      input: TrunkRepair,
      actor: Actor,
      wait: boolean,
      show: ShowNumbers,
    ): Promise<JobView> {
      await ready(tenantId);
      const only =
        input.phoneNumber === undefined
          ? undefined
          : normalizePhoneNumber(input.phoneNumber.reveal(), { allowedTypes: PHONE_NUMBER_TYPES })
              .e164;
      const dryRun = input.dryRun ?? false;
      const begun = await jobs.begin(
        tenantId,
        'trunk.repair',
        { dryRun, phoneNumber: only ?? null },
        actor,
        async (ctx) => {
          const params = ctx.params as { dryRun: boolean; phoneNumber: string | null };
          const retell = await deps.clients.retell(tenantId, TRUNK_REPAIR, actor, tuning);
          const run = async (renew: () => Promise<void>): Promise<RepairResult> =>
            repairNumbers({
              records,
              tenantId,
              trunk: await ready(tenantId),
              retell,
              dryRun: params.dryRun,
              only: params.phoneNumber ?? undefined,
              progress: (d, t) => ctx.progress(d, t),
              beforeWrite: renew,
            });
          const result = params.dryRun
            ? await run(() => Promise.resolve())
            : await withTrunkLease(db, tenantId, timing, (_lease, renew) => run(renew));
          await deps.audit.record({
            tenantId,
            actor,
            action: 'trunk.repair',
            target: 'trunk',
            outcome: result.failed === 0 ? 'success' : 'failure',
            detail: {
              dryRun: result.dryRun,
              total: result.total,
              fixed: result.fixed,
              alreadyOk: result.alreadyOk,
              failed: result.failed,
            },
          });
          return result;
        },
      );
      return jobAnswer(tenantId, begun, wait, show);
    },

    /**
     * Rotates the trunk's SIP password through a second credential (trunk-rotation.ts), as a job;
     * a blocked or interrupted rotation is resumed by the next request.
     */
    async rotatePassword(
      tenantId: TenantId,
      actor: Actor,
      wait: boolean,
      show: ShowNumbers,
    ): Promise<JobView> {
      await ready(tenantId);
      const begun = await jobs.begin(tenantId, 'trunk.rotate-password', {}, actor, async (ctx) => {
        const twilio = await deps.clients.twilio(tenantId, TRUNK_ROTATE, actor, tuning);
        const retell = await deps.clients.retell(tenantId, TRUNK_ROTATE, actor, tuning);
        const result = await withTrunkLease(db, tenantId, timing, (lease, renew) =>
          rotateTrunkPassword({
            records,
            tenantId,
            lease,
            actor,
            twilio,
            retell,
            renew,
            progress: (d, t) => ctx.progress(d, t),
          }),
        );
        await deps.audit.record({
          tenantId,
          actor,
          action: 'trunk.rotate-password',
          target: 'trunk',
          outcome: result.state === 'done' ? 'success' : 'failure',
          detail: {
            state: result.state,
            total: result.numbers.total,
            moved: result.numbers.moved,
            blocked: result.blocked.length,
            previousCredentialDeleted: result.previousCredentialDeleted,
          },
        });
        return result;
      });
      return jobAnswer(tenantId, begun, wait, show);
    },

    /**
     * Buys a number onto the trunk under an Idempotency-Key (one number per key, whatever dies
     * when), places it on Retell and records it as a phone. The phone view and whether it was
     * the stored answer of an earlier request.
     */
    async purchase(
      tenantId: TenantId,
      key: string,
      input: PhonePurchase,
      actor: Actor,
      showNumber: boolean,
    ): Promise<{ status: number; body: unknown }> {
      const trunk = await ready(tenantId);
      const answer = await runIdempotent(
        deps.idempotency,
        {
          tenantId,
          key,
          method: 'POST',
          route: PURCHASE_ROUTE,
          body: { ...input, phoneNumber: input.phoneNumber?.reveal() },
          mode: 'resumable',
          ttlMs: null,
          actor,
        },
        async (run) => {
          const twilio = await deps.clients.twilio(tenantId, TRUNK_NUMBERS, actor, tuning);
          const retell = await deps.clients.retell(tenantId, TRUNK_NUMBERS, actor, tuning);
          const view = (await purchaseNumber({
            records,
            tenantId,
            trunk,
            twilio,
            retell,
            input,
            run,
            actor,
            phoneExists: (e164) => deps.phones.hasNumber(tenantId, e164),
            record: (intent, placed) =>
              deps.phones.recordTrunkNumber(
                tenantId,
                {
                  id: intent.phoneId,
                  e164: intent.number,
                  trunkId: trunk.row.id,
                  twilioSid: intent.twilioSid,
                  label: input.label ?? null,
                  retell: placed,
                },
                actor,
                showNumber,
              ),
          })) as PhoneView;
          return { status: 201, body: view, resourceId: view.id };
        },
      );
      // A replay answers what the first request stored, made for whoever sent it: masked again
      // for a viewer who sees numbers masked.
      return { status: answer.status, body: showNumber ? answer.body : maskPhonesIn(answer.body) };
    },

    /** Puts a phone the tenant owns at Twilio on the trunk and on Retell. */
    async attach(
      tenantId: TenantId,
      phoneId: string,
      input: PhoneAttach,
      actor: Actor,
      showNumber: boolean,
    ): Promise<PhoneView> {
      const trunk = await ready(tenantId);
      const { e164 } = await deps.phones.numberOf(tenantId, phoneId);
      const twilio = await deps.clients.twilio(tenantId, TRUNK_NUMBERS, actor, tuning);
      const retell = await deps.clients.retell(tenantId, TRUNK_NUMBERS, actor, tuning);
      const twilioSid = await attachNumber(twilio, trunk, e164);
      const placed = await placeOnRetell(records, tenantId, trunk, retell, e164, input.retell);
      return deps.phones.setTrunk(
        tenantId,
        phoneId,
        { trunkId: trunk.row.id, twilioSid, retell: placed },
        actor,
        showNumber,
      );
    },

    /**
     * Deletes a phone; one on the trunk (or bought here) is first taken off Retell, then released
     * at Twilio (`release`) or only detached from the trunk.
     */
    async removePhone(
      tenantId: TenantId,
      phoneId: string,
      release: boolean,
      actor: Actor,
    ): Promise<void> {
      const { e164, record } = await deps.phones.numberOf(tenantId, phoneId);
      const twilioSid = record.row['twilio_sid'];
      if (typeof twilioSid === 'string') {
        const twilio = await deps.clients.twilio(tenantId, TRUNK_NUMBERS, actor, tuning);
        const retell = await deps.clients.retell(tenantId, TRUNK_NUMBERS, actor, tuning);
        await removeNumber(twilio, retell, e164, twilioSid, release);
      }
      await deps.phones.remove(tenantId, phoneId, actor);
      await deps.idempotency.forgetResource(tenantId, phoneId);
    },

    /**
     * Offboards the trunk: numbers off Retell and released (or detached), what telvault created
     * removed, what it adopted left in place; then the trunk row is deleted. Re-entrant.
     */
    async offboard(
      tenantId: TenantId,
      options: { releaseNumbers: boolean },
      actor: Actor,
    ): Promise<OffboardResult> {
      const removeRow = (result: OffboardResult) =>
        records.remove({
          table: TRUNK_TABLE,
          tenantId,
          key: {},
          audit: {
            actor,
            action: 'trunk.offboard',
            target: 'trunk',
            detail: {
              released: result.numbers.released,
              detached: result.numbers.detached,
              removed: result.removed.map((r) => `${r.resource}:${r.sid}`),
              leftInPlace: result.leftInPlace.map((r) => `${r.resource}:${r.sid}`),
            },
          },
          notFound: 'the tenant has no SIP trunk',
        });
      // An imported trunk not yet adopted: telvault made nothing at the providers and no number is
      // on it, so it is forgotten without a provider call (nor the credentials one would need).
      if (await isBareImport(tenantId, await find(tenantId))) {
        return withTrunkLease(db, tenantId, timing, async () => {
          const trunk = await find(tenantId);
          if (!(await isBareImport(tenantId, trunk))) {
            throw new TelvaultError('ERR_CONFLICT', 'trunk: it was set up meanwhile: try again');
          }
          const sid = str(trunk, 'trunk_sid');
          const result: OffboardResult = {
            numbers: { released: 0, detached: 0 },
            removed: [],
            leftInPlace: sid === null ? [] : [{ resource: 'trunk', sid }],
          };
          await removeRow(result);
          return result;
        });
      }
      const twilio = await deps.clients.twilio(tenantId, TRUNK_OFFBOARD, actor, tuning);
      const retell = await deps.clients.retell(tenantId, TRUNK_OFFBOARD, actor, tuning);
      return withTrunkLease(db, tenantId, timing, async (_lease, renew) => {
        const result = await offboardTrunk({
          records,
          phones: deps.phones,
          tenantId,
          trunk: await find(tenantId),
          twilio,
          retell,
          releaseNumbers: options.releaseNumbers,
          actor,
          renew,
          forget: async (id) => void (await deps.idempotency.forgetResource(tenantId, id)),
        });
        await removeRow(result);
        return result;
      });
    },

    /** A job of the tenant's trunk: state, progress and (when done) result. */
    getJob: (tenantId: TenantId, jobId: string, show: ShowNumbers): Promise<JobView> =>
      jobFor(tenantId, jobId, show),

    /** Waits for the jobs this process runs (shutdown, tests). */
    drain: () => jobs.drain(),

    async get(tenantId: TenantId, options: { live?: boolean; actor: Actor }): Promise<TrunkView> {
      const r = await find(tenantId);
      const v = await view(r);
      if (options.live === true) v.drift = await liveDrift(tenantId, r, options.actor);
      return v;
    },
  };
}

export type TrunkService = ReturnType<typeof createTrunkService>;
