// Emergency override (TELVAULT_ALLOW_ENV_OVERRIDE=1): one named tenant's provider credentials from
// environment variables, used only when the database cannot be read. Each use is logged as a
// warning with the audit fields and queued; the queue is written to the audit log (with the time of
// the use) as soon as the database answers again. An override that could never be used (no tenant,
// a tenant that does not exist, no provider variables, a misspelt or invalid variable) is refused
// at start: it is found out when the database is down otherwise, the one time it matters.
import { Secret } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Actor } from '../audit/actor.js';
import { actorLabel } from '../audit/actor.js';
import type { AuditEventInput, AuditService } from '../audit/audit-service.js';
import type { CredentialsForUse } from './credential-service.js';
import { PROVIDER_SPECS, PROVIDERS, type Provider } from './providers.js';
import type { Logger } from '../common/logger.js';
import { nowIso } from '../../store/time.js';

export const ALLOW_OVERRIDE_VARIABLE = 'TELVAULT_ALLOW_ENV_OVERRIDE';
export const OVERRIDE_TENANT_VARIABLE = 'TELVAULT_OVERRIDE_TENANT';
const OVERRIDE_PREFIX = 'TELVAULT_OVERRIDE_';
/** Tenant ids are UUIDs (store/time.ts newId). */
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Environment variable per provider field: TELVAULT_OVERRIDE_<PROVIDER>_<FIELD_IN_SNAKE_CASE>. */
export function overrideVariable(provider: Provider, field: string): string {
  return `${OVERRIDE_PREFIX}${provider.toUpperCase()}_${field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** Every variable the override reads besides the switch: the tenant, then each provider field. */
export function overrideVariables(): string[] {
  return [
    OVERRIDE_TENANT_VARIABLE,
    ...PROVIDERS.flatMap((p) =>
      Object.keys(PROVIDER_SPECS[p].input.shape).map((f) => overrideVariable(p, f)),
    ),
  ];
}

const refuse = (message: string): TelvaultError =>
  new TelvaultError('ERR_CONFIG_INVALID', `emergency override: ${message}`);

export interface EnvOverride {
  tenantId: string;
  use(
    tenantId: string,
    provider: Provider,
    operation: string,
    actor: Actor,
    cause: unknown,
  ): CredentialsForUse | undefined;
  /** Writes queued events; returns how many were written. */
  flush(audit: AuditService): Promise<number>;
  pending(): number;
}

/** The first issue of a failed parse, as "VARIABLE: rule" (never the value). */
function firstIssue(
  provider: Provider,
  issues: readonly { path: PropertyKey[]; message: string }[],
) {
  const field = String(issues[0]?.path[0] ?? '');
  return `${overrideVariable(provider, field)}: ${issues[0]?.message ?? 'is invalid'}`;
}

/** Each provider's values from the environment, checked by the API's rules. */
function readProviderValues(env: NodeJS.ProcessEnv): Map<Provider, Record<string, string>> {
  const byProvider = new Map<Provider, Record<string, string>>();
  for (const provider of PROVIDERS) {
    const spec = PROVIDER_SPECS[provider];
    const values: Record<string, string> = {};
    for (const f of Object.keys(spec.input.shape)) {
      const v = env[overrideVariable(provider, f)];
      if (v !== undefined && v !== '') values[f] = v;
    }
    if (Object.keys(values).length === 0) continue;
    const input = spec.input.safeParse(values);
    if (!input.success) throw refuse(firstIssue(provider, input.error.issues));
    const complete = spec.complete.safeParse(values);
    if (!complete.success) throw refuse(firstIssue(provider, complete.error.issues));
    byProvider.set(provider, values);
  }
  return byProvider;
}

/**
 * Reads the override from the environment; undefined when it is off (override variables set while
 * it is off are named in a warning). Throws ERR_CONFIG_INVALID, naming the variables, for an
 * override that can never be used.
 */
export function loadEnvOverride(
  env: NodeJS.ProcessEnv,
  allowed: boolean,
  logger: Logger,
): EnvOverride | undefined {
  const present = Object.keys(env)
    .filter((k) => k.startsWith(OVERRIDE_PREFIX) && env[k] !== undefined && env[k] !== '')
    .sort();
  if (!allowed) {
    if (present.length > 0) {
      logger.warn(
        { variables: present },
        `emergency override variables are set but ${ALLOW_OVERRIDE_VARIABLE} is not 1: ignored`,
      );
    }
    return undefined;
  }
  const tenantId = env[OVERRIDE_TENANT_VARIABLE];
  if (tenantId === undefined || tenantId === '') {
    throw refuse(
      `${ALLOW_OVERRIDE_VARIABLE}=1 needs ${OVERRIDE_TENANT_VARIABLE}, the id of the tenant it serves`,
    );
  }
  if (!TENANT_ID.test(tenantId)) throw refuse(`${OVERRIDE_TENANT_VARIABLE} is not a tenant id`);
  const known = new Set(overrideVariables());
  const unknown = present.filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw refuse(
      `${unknown.join(', ')}: not an override variable (TELVAULT_OVERRIDE_<PROVIDER>_<FIELD>)`,
    );
  }
  const byProvider = readProviderValues(env);
  if (byProvider.size === 0) {
    throw refuse(
      `${ALLOW_OVERRIDE_VARIABLE}=1 and ${OVERRIDE_TENANT_VARIABLE} are set, but no ` +
        'TELVAULT_OVERRIDE_<PROVIDER>_<FIELD> variable: it would serve nothing',
    );
  }
  const queue: AuditEventInput[] = [];
  logger.warn(
    { tenantId, providers: [...byProvider.keys()] },
    'emergency credential override is ENABLED',
  );

  return {
    tenantId,
    use(forTenant, provider, operation, actor, cause) {
      const values = byProvider.get(provider);
      if (forTenant !== tenantId || values === undefined) return undefined;
      const spec = PROVIDER_SPECS[provider];
      const event: AuditEventInput = {
        tenantId,
        actor,
        action: 'credential.use',
        target: `credential:${provider}`,
        detail: { operation, source: 'env-override' },
        at: nowIso(),
      };
      queue.push(event);
      logger.warn(
        {
          audit: { ...event, actor: actorLabel(actor) },
          cause: cause instanceof Error ? cause.message : 'database unavailable',
        },
        'emergency override: provider credentials taken from the environment',
      );
      const pub: Record<string, string> = {};
      const secrets: Record<string, Secret<string>> = {};
      for (const [f, v] of Object.entries(values)) {
        if (spec.secretFields.includes(f) || spec.phoneFields.includes(f))
          secrets[f] = new Secret(v);
        else pub[f] = v;
      }
      return { provider, public: pub, secrets, fromOverride: true };
    },
    async flush(audit) {
      let n = 0;
      while (queue.length > 0) {
        const e = queue[0];
        if (e === undefined) break;
        await audit.record(e);
        queue.shift();
        n += 1;
      }
      return n;
    },
    pending: () => queue.length,
  };
}

/** Refuses an override for a tenant that does not exist (run once the database is open). */
export async function assertOverrideTenant(
  override: EnvOverride,
  tenantExists: (id: string) => Promise<boolean>,
): Promise<void> {
  if (!(await tenantExists(override.tenantId))) {
    throw refuse(
      `${OVERRIDE_TENANT_VARIABLE} names tenant ${override.tenantId}, which does not exist`,
    );
  }
}
