// Emergency override (TELVAULT_ALLOW_ENV_OVERRIDE=1): one named tenant's provider credentials from
// environment variables, used only when the database cannot be read. Each use is logged as a
// warning with the audit fields and queued; the queue is written to the audit log (with the time of
// the use) as soon as the database answers again.
import { Secret } from '../../crypto/secret.js';
import type { Actor } from '../audit/actor.js';
import { actorLabel } from '../audit/actor.js';
import type { AuditEventInput, AuditService } from '../audit/audit-service.js';
import type { CredentialsForUse } from './credential-service.js';
import { PROVIDER_SPECS, PROVIDERS, type Provider } from './providers.js';
import type { Logger } from '../common/logger.js';
import { nowIso } from '../../store/time.js';

/** Environment variable per provider field: TELVAULT_OVERRIDE_<PROVIDER>_<FIELD_IN_SNAKE_CASE>. */
export function overrideVariable(provider: Provider, field: string): string {
  return `TELVAULT_OVERRIDE_${provider.toUpperCase()}_${field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

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

/** Reads the override from the environment; undefined when it is off or names no tenant. */
export function loadEnvOverride(
  env: NodeJS.ProcessEnv,
  allowed: boolean,
  logger: Logger,
): EnvOverride | undefined {
  const tenantId = env['TELVAULT_OVERRIDE_TENANT'];
  if (!allowed || tenantId === undefined || tenantId === '') return undefined;
  const byProvider = new Map<Provider, Record<string, string>>();
  for (const provider of PROVIDERS) {
    const spec = PROVIDER_SPECS[provider];
    const values: Record<string, string> = {};
    for (const f of Object.keys(spec.input.shape)) {
      const v = env[overrideVariable(provider, f)];
      if (v !== undefined && v !== '') values[f] = v;
    }
    if (Object.keys(values).length === 0) continue;
    // Same rules as the API; a bad variable is named, its value never echoed.
    const ok = spec.input.safeParse(values).success && spec.complete.safeParse(values).success;
    if (!ok) {
      logger.error(
        { provider },
        'emergency override: variables for this provider are invalid; ignored',
      );
      continue;
    }
    byProvider.set(provider, values);
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
