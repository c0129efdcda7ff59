// API tokens: random, recognisable prefix, shown once, stored as SHA-256 of the token (a 256-bit
// random value needs no slow hash: nothing to brute-force), looked up by that hash. The root token
// is compared by hash in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Secret } from '../crypto/secret.js';
import { TelvaultError } from '../errors.js';
import type { Database } from '../store/database.js';
import { newId, nowIso } from '../store/time.js';
import { createTokenRepo, type TokenRow } from '../store/token-repo.js';
import { actorLabel, type Actor } from './actor.js';
import type { AuditService } from './audit-service.js';
import { isScope, type Scope } from './scopes.js';

/** Tenant token prefix, so secret scanners can recognise a leaked token. Do not change. */
export const TENANT_TOKEN_PREFIX = 'tvk_';
/** Prefix of root tokens that telvault generates (`telvault dev`). */
export const ROOT_TOKEN_PREFIX = 'tvr_';
/** Characters of a token kept in the clear, to tell tokens apart in a list. */
const DISPLAY_PREFIX_LENGTH = 12;
/** Minimum root token length (`telvault serve` refuses shorter). */
export const ROOT_TOKEN_MIN_LENGTH = 32;

export type Principal =
  | { kind: 'root' }
  | {
      kind: 'tenant';
      tenantId: string;
      tokenId: string;
      scopes: ReadonlySet<Scope>;
      expiresAt: string | null;
    };

export interface TokenView {
  id: string;
  tenantId: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface CreateTokenInput {
  tenantId: string;
  name: string;
  scopes: readonly Scope[];
  expiresAt?: string | undefined;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

function toView(r: TokenRow): TokenView {
  const scopes = (JSON.parse(r.scopes) as string[]).filter(isScope);
  return {
    id: r.id,
    tenantId: r.tenant_id ?? '',
    name: r.name,
    prefix: r.prefix,
    scopes,
    createdBy: r.created_by,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
  };
}

export interface TokenServiceDeps {
  db: Database;
  audit: AuditService;
  /** SHA-256 of the root token; undefined = no root access. */
  rootTokenHash: Buffer | undefined;
  clock?: () => number;
}

/** Writes of last_used_at are throttled to one per token per minute, off the request path. */
const TOUCH_INTERVAL_MS = 60_000;

export function createTokenService(deps: TokenServiceDeps) {
  const repo = createTokenRepo(deps.db);
  const clock = deps.clock ?? Date.now;
  const touched = new Map<string, number>();

  function touch(id: string): void {
    const now = clock();
    if ((touched.get(id) ?? 0) + TOUCH_INTERVAL_MS > now) return;
    touched.set(id, now);
    if (touched.size > 10_000) touched.clear();
    repo
      .touch(
        id,
        nowIso(() => now),
      )
      .catch(() => touched.delete(id));
  }

  return {
    /** The principal a bearer token stands for, or undefined for an unknown/expired/revoked one. */
    async authenticate(token: string): Promise<Principal | undefined> {
      const digest = createHash('sha256').update(token, 'utf8').digest();
      if (deps.rootTokenHash !== undefined && timingSafeEqual(digest, deps.rootTokenHash)) {
        return { kind: 'root' };
      }
      if (!token.startsWith(TENANT_TOKEN_PREFIX)) return undefined;
      const row = await repo.findByHash(digest.toString('hex'));
      if (row?.tenant_id === null || row === undefined) return undefined;
      if (row.revoked_at !== null) return undefined;
      if (row.expires_at !== null && row.expires_at <= nowIso(clock)) return undefined;
      touch(row.id);
      return {
        kind: 'tenant',
        tenantId: row.tenant_id,
        tokenId: row.id,
        scopes: new Set(toView(row).scopes),
        expiresAt: row.expires_at,
      };
    },

    /**
     * Mints a tenant token. `minter` is the principal asking: a tenant token may grant only scopes
     * it holds, and the new token cannot outlive it.
     */
    async create(
      input: CreateTokenInput,
      minter: Principal,
      actor: Actor,
    ): Promise<{ view: TokenView; token: Secret<string> }> {
      let expiresAt = input.expiresAt ?? null;
      if (expiresAt !== null && expiresAt <= nowIso(clock)) {
        throw new TelvaultError('ERR_VALIDATION', 'expiresAt: must be in the future');
      }
      if (minter.kind === 'tenant') {
        const missing = input.scopes.filter((s) => !minter.scopes.has(s));
        if (missing.length > 0) {
          throw new TelvaultError(
            'ERR_AUTH_FORBIDDEN',
            `scopes: this token cannot grant ${missing.join(', ')}`,
          );
        }
        if (minter.expiresAt !== null && (expiresAt === null || expiresAt > minter.expiresAt)) {
          expiresAt = minter.expiresAt;
        }
      }
      const token = generateToken(TENANT_TOKEN_PREFIX);
      const row: TokenRow = {
        id: newId(),
        tenant_id: input.tenantId,
        name: input.name,
        prefix: token.slice(0, DISPLAY_PREFIX_LENGTH),
        token_hash: hashToken(token),
        scopes: JSON.stringify([...new Set(input.scopes)]),
        created_by: actorLabel(actor),
        expires_at: expiresAt,
        revoked_at: null,
        last_used_at: null,
        created_at: nowIso(clock),
      };
      await deps.db.transaction().execute(async (trx) => {
        await repo.insert(row, trx);
        await deps.audit.record(
          {
            tenantId: input.tenantId,
            actor,
            action: 'token.create',
            target: `token:${row.id}`,
            detail: { scopes: [...new Set(input.scopes)] },
          },
          trx,
        );
      });
      return { view: toView(row), token: new Secret(token) };
    },

    async list(tenantId: string): Promise<TokenView[]> {
      return (await repo.listByTenant(tenantId)).map(toView);
    },

    async revoke(tenantId: string, tokenId: string, actor: Actor): Promise<void> {
      const existing = await repo.findInTenant(tenantId, tokenId);
      if (existing === undefined) throw new TelvaultError('ERR_NOT_FOUND', 'token not found');
      if (existing.revoked_at !== null) return;
      await deps.db.transaction().execute(async (trx) => {
        await repo.revoke(tenantId, tokenId, nowIso(clock), trx);
        await deps.audit.record(
          { tenantId, actor, action: 'token.revoke', target: `token:${tokenId}` },
          trx,
        );
      });
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
