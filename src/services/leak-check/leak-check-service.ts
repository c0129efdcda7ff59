// The leak check: is a value found somewhere (a repository, a log) a credential telvault stores?
// Each candidate's fingerprint (services/records/record-fingerprints.ts) is looked up among the
// stored ones; only matches come back, as tenant, provider and field (never a value, never the
// row's other fields). Root only (the route says so), at most LEAK_CHECK_MAX_CANDIDATES a
// request, rate-limited; candidates shorter than the fingerprint minimum are not looked up, so a
// weak password cannot be confirmed by guessing. The audit event holds counts only.
import { z } from 'zod';
import type { Secret } from '../../crypto/index.js';
import type { Database } from '../../store/database.js';
import { findFingerprints } from '../../store/secret-fingerprint-repo.js';
import {
  FINGERPRINTED_FIELDS,
  ENCRYPTED_TABLES,
  type EncryptedTableName,
} from '../../store/encrypted-fields.js';
import type { Actor } from '../audit/actor.js';
import type { AuditService } from '../audit/audit-service.js';
import { asSecret } from '../common/secret-field.js';
import type { KeyService } from '../keys/key-service.js';
import type { Limiter } from '../limits/limiter-factory.js';
import { RateLimitError } from '../limits/rate-limit-error.js';
import { FINGERPRINT_MIN_LENGTH, secretFingerprint } from '../records/record-fingerprints.js';

export const LEAK_CHECK_MAX_CANDIDATES = 1000;
/** Longer than any provider secret; keeps 1,000 candidates a request within reason. */
export const LEAK_CHECK_MAX_LENGTH = 512;
/** Requests a window, for every caller together (the check is root only). */
export const LEAK_CHECK_LIMIT = { name: 'leak-check', points: 30, windowSeconds: 60 } as const;

export const leakCheckInput = z.strictObject({
  candidates: z
    .array(
      asSecret(
        z
          .string({ error: 'must be a string' })
          .min(1, 'must not be empty')
          .max(LEAK_CHECK_MAX_LENGTH, `must be at most ${LEAK_CHECK_MAX_LENGTH} characters`),
      ),
    )
    .min(1, 'must hold at least one candidate')
    .max(LEAK_CHECK_MAX_CANDIDATES, `must hold at most ${LEAK_CHECK_MAX_CANDIDATES} candidates`),
});
export type LeakCheckInput = z.output<typeof leakCheckInput>;

export const leakMatchView = z.object({
  /** The candidate's position in the request. */
  index: z.number().int(),
  tenantId: z.string(),
  /** twilio, sendgrid, retell, exotel; `secret` for a named secret. */
  provider: z.string(),
  /** The entity and field the value is stored as (`credential` `authToken`). */
  entity: z.string(),
  field: z.string(),
});
export const leakCheckView = z.object({
  checked: z.number().int(),
  /** Candidates too short to be fingerprinted: never looked up. */
  skipped: z.number().int(),
  matches: z.array(leakMatchView),
});
export type LeakCheckView = z.infer<typeof leakCheckView>;

export interface LeakCheckDeps {
  db: Database;
  keys: Pick<KeyService, 'rateLimitKey' | 'secretFingerprint'>;
  audit: Pick<AuditService, 'record'>;
  /** One count for every caller (absent: no limit, as for a library user). */
  limiter?: Limiter | undefined;
}

export function createLeakCheckService(deps: LeakCheckDeps) {
  return {
    async check(candidates: readonly Secret<string>[], actor: Actor): Promise<LeakCheckView> {
      if (deps.limiter !== undefined) {
        const decision = await deps.limiter.hit(await deps.keys.rateLimitKey('leak-check:root'));
        if (decision.limited) {
          throw new RateLimitError(
            'ERR_RATE_LIMITED',
            'leak check: too many requests',
            decision.retryAfterSeconds,
          );
        }
      }
      const byFingerprint = new Map<string, number[]>();
      let skipped = 0;
      for (const [index, c] of candidates.entries()) {
        const text = c.reveal();
        if (text.length < FINGERPRINT_MIN_LENGTH) {
          skipped++;
          continue;
        }
        const fp = await secretFingerprint(deps.keys, text);
        byFingerprint.set(fp, [...(byFingerprint.get(fp) ?? []), index]);
      }
      const found = await findFingerprints(deps.db, [...byFingerprint.keys()]);
      const matches = found.flatMap((m) => {
        const table = m.table_name as EncryptedTableName;
        const provider = FINGERPRINTED_FIELDS[table]?.provider ?? m.provider ?? 'unknown';
        const entity = ENCRYPTED_TABLES[table]?.entity ?? m.table_name;
        return (byFingerprint.get(m.fingerprint) ?? []).map((index) => ({
          index,
          tenantId: m.tenant_id,
          provider,
          entity,
          field: m.field,
        }));
      });
      matches.sort((a, b) => a.index - b.index);
      await deps.audit.record({
        tenantId: null,
        actor,
        action: 'leak.check',
        target: 'leak-check',
        detail: { candidates: candidates.length, skipped, matches: matches.length },
      });
      return { checked: candidates.length - skipped, skipped, matches };
    },
  };
}

export type LeakCheckService = ReturnType<typeof createLeakCheckService>;
