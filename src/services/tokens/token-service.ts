// API tokens: random, recognisable prefix, shown once, stored as SHA-256 of the token (a 256-bit
// random value needs no slow hash: nothing to brute-force), looked up by that hash. The root token
// is compared by hash in constant time. Authentication is cached briefly (see TOKEN_CACHE_TTL_MS).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { Secret } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import { newId, nowIso } from '../../store/time.js';
import { createTokenRepo, type TokenRow } from '../../store/token-repo.js';
import { actorLabel, type Actor } from '../audit/actor.js';
import type { AuditService } from '../audit/audit-service.js';
import { isScope, type Scope } from './scopes.js';
import { identifyPrincipal, type TokenIdentityView } from './token-identity.js';

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

/** The one token digest: SHA-256 of the token's UTF-8 (stored as hex for tenant tokens). */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The root token's rule, for every way in (serve, dev, createServer, the library). */
export function rootTokenProblem(token: Secret<string>): string | undefined {
  const length = token.reveal().length;
  return length >= ROOT_TOKEN_MIN_LENGTH
    ? undefined
    : `TELVAULT_ROOT_TOKEN is ${length} characters long: it must be at least ${ROOT_TOKEN_MIN_LENGTH}`;
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
  /** How long a looked-up token is trusted without reading its row again (0: never cached). */
  cacheTtlMs?: number;
}

/**
 * A token row read on the request path is reused for at most this long. Revocation and tenant
 * deletion through this node evict at once; a change made elsewhere (another node, the CLI on the
 * database) takes effect here within this bound, like key changes (the key cache's stamp check).
 */
export const TOKEN_CACHE_TTL_MS = 1000;
const TOKEN_CACHE_MAX = 10_000;

interface CachedToken {
  principal: Principal & { kind: 'tenant' };
  /** expires_at in ms since the epoch (Infinity: never), checked on every request. */
  expiresAtMs: number;
  /** Until when (clock ms) the row read is trusted. */
  freshUntil: number;
}

/** expires_at as ms; one that does not parse counts as already expired (fail closed). */
function expiryMs(expiresAt: string | null): number {
  if (expiresAt === null) return Infinity;
  const ms = Date.parse(expiresAt);
  return Number.isNaN(ms) ? -Infinity : ms;
}

/** Writes of last_used_at are throttled to one per token per minute, off the request path. */
const TOUCH_INTERVAL_MS = 60_000;

export function createTokenService(deps: TokenServiceDeps) {
  const repo = createTokenRepo(deps.db);
  const clock = deps.clock ?? Date.now;
  const touched = new Map<string, number>();
  const ttl = deps.cacheTtlMs ?? TOKEN_CACHE_TTL_MS;
  // Keyed by the token's hash. Never holds a miss: an unknown token is read every time.
  const cache = ttl > 0 ? new LRUCache<string, CachedToken>({ max: TOKEN_CACHE_MAX }) : undefined;
  // Bumped by every eviction, so a lookup that started before a revocation and ends after it does
  // not put the row it read (still valid then) back into the cache.
  let generation = 0;

  function forget(match: (c: CachedToken) => boolean): void {
    generation += 1;
    if (cache === undefined) return;
    for (const [hash, c] of cache.entries()) if (match(c)) cache.delete(hash);
  }

  function live(c: CachedToken): Principal | undefined {
    if (c.expiresAtMs <= clock()) return undefined;
    touch(c.principal.tokenId);
    return c.principal;
  }

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
      const digest = hashToken(token);
      if (deps.rootTokenHash !== undefined && timingSafeEqual(digest, deps.rootTokenHash)) {
        return { kind: 'root' };
      }
      if (!token.startsWith(TENANT_TOKEN_PREFIX)) return undefined;
      const hash = digest.toString('hex');
      const cached = cache?.get(hash);
      if (cached !== undefined && cached.freshUntil > clock()) return live(cached);
      const startedAt = generation;
      const readAt = clock();
      const row = await repo.findByHash(hash);
      if (row?.tenant_id === null || row === undefined) return undefined;
      if (row.revoked_at !== null) return undefined;
      const entry: CachedToken = {
        principal: Object.freeze({
          kind: 'tenant',
          tenantId: row.tenant_id,
          tokenId: row.id,
          scopes: new Set(toView(row).scopes),
          expiresAt: row.expires_at,
        } as const),
        expiresAtMs: expiryMs(row.expires_at),
        freshUntil: readAt + ttl,
      };
      if (generation === startedAt) cache?.set(hash, entry);
      return live(entry);
    },

    /** Who an authenticated principal is (`GET /v1/token`): never the token or its hash. */
    identify(principal: Principal): Promise<TokenIdentityView> {
      return identifyPrincipal(deps.db, principal);
    },

    /** Drops this tenant's cached tokens (after the tenant is deleted through this node). */
    forgetTenant(tenantId: string): void {
      forget((c) => c.principal.tenantId === tenantId);
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
        token_hash: hashToken(token).toString('hex'),
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
      const drop = (c: CachedToken) => c.principal.tokenId === tokenId;
      // Already revoked (elsewhere, e.g. the CLI on the database): stop it here too, at once.
      if (existing.revoked_at !== null) return forget(drop);
      await deps.db.transaction().execute(async (trx) => {
        await repo.revoke(tenantId, tokenId, nowIso(clock), trx);
        await deps.audit.record(
          { tenantId, actor, action: 'token.revoke', target: `token:${tokenId}` },
          trx,
        );
      });
      forget(drop);
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
