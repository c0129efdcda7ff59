// Tenant settings: read with their defaults when a tenant never changed them; a PATCH changes only
// what it sends and is audited with the field names, never the values.
import { LRUCache } from 'lru-cache';
import type { TenantId } from '../../crypto/index.js';
import { findTenantSettings, saveTenantSettings } from '../../store/tenant-settings-repo.js';
import { nowIso } from '../../store/time.js';
import type { Database } from '../../store/database.js';
import type { Actor } from '../audit/actor.js';
import type { AuditService } from '../audit/audit-service.js';
import { applyLimitsPatch, resolveLimitsPolicy, type LimitsPolicy } from '../limits/index.js';
import {
  DEFAULT_ALLOWED_NUMBER_TYPES,
  PHONE_NUMBER_TYPES,
  type PhoneNumberType,
} from '../phones/phone-number.js';
import type { SettingsPatch, SettingsView } from './settings-schemas.js';

export interface TenantSettings {
  defaultCountry: string | undefined;
  allowedNumberTypes: readonly PhoneNumberType[];
}

/** What a call or message needs: the number rules, where it may go, whether Exotel falls back. */
export interface SendingSettings extends TenantSettings {
  exotelFallbackToTenant: boolean;
  allowedDestinationCountries: readonly string[] | null;
}

function typesOf(text: string): PhoneNumberType[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) return [...DEFAULT_ALLOWED_NUMBER_TYPES];
  return parsed.filter((t): t is PhoneNumberType =>
    (PHONE_NUMBER_TYPES as readonly unknown[]).includes(t),
  );
}

function countriesOf(text: string | null): string[] | null {
  if (text === null) return null;
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? parsed.filter((c): c is string => typeof c === 'string') : null;
}

/**
 * Every outbound call and message reads its tenant's limits: kept for a second per tenant, so a
 * change reaches this node at once (update clears it) and every other node within a second.
 */
const POLICY_TTL_MS = 1_000;

export function createSettingsService(deps: { db: Database; audit: Pick<AuditService, 'record'> }) {
  const { db } = deps;
  const policies = new LRUCache<string, LimitsPolicy>({ max: 10_000, ttl: POLICY_TTL_MS });

  async function view(tenantId: TenantId, within: Database = db): Promise<SettingsView> {
    const row = await findTenantSettings(within, tenantId);
    return {
      defaultCountry: row?.default_country ?? null,
      allowedNumberTypes:
        row === undefined ? [...DEFAULT_ALLOWED_NUMBER_TYPES] : typesOf(row.allowed_number_types),
      limits: resolveLimitsPolicy(row?.limits_json ?? null),
      exotelFallbackToTenant: row?.exotel_fallback === 1,
      allowedDestinationCountries: countriesOf(row?.destination_countries ?? null),
      updatedAt: row?.updated_at ?? null,
    };
  }

  return {
    get: (tenantId: TenantId): Promise<SettingsView> => view(tenantId),

    /** What phone-number normalization needs of the settings. */
    async forPhones(tenantId: TenantId): Promise<TenantSettings> {
      const v = await view(tenantId);
      return {
        defaultCountry: v.defaultCountry ?? undefined,
        allowedNumberTypes: v.allowedNumberTypes,
      };
    },

    /** What a call or message needs: the number rules, and whether Exotel may fall back. */
    async forSending(tenantId: TenantId): Promise<SendingSettings> {
      const v = await view(tenantId);
      return {
        defaultCountry: v.defaultCountry ?? undefined,
        allowedNumberTypes: v.allowedNumberTypes,
        exotelFallbackToTenant: v.exotelFallbackToTenant,
        allowedDestinationCountries: v.allowedDestinationCountries,
      };
    },

    /** The outbound limits in force (the defaults where the tenant set none). */
    async limitsPolicy(tenantId: TenantId): Promise<LimitsPolicy> {
      const cached = policies.get(tenantId);
      if (cached !== undefined) return cached;
      const row = await findTenantSettings(db, tenantId);
      const policy = resolveLimitsPolicy(row?.limits_json ?? null);
      policies.set(tenantId, policy);
      return policy;
    },

    async update(tenantId: TenantId, patch: SettingsPatch, actor: Actor): Promise<SettingsView> {
      const fields = (
        [
          'defaultCountry',
          'allowedNumberTypes',
          'limits',
          'exotelFallbackToTenant',
          'allowedDestinationCountries',
        ] as const
      ).filter((f) => patch[f] !== undefined);
      const updated = await db.transaction().execute(async (trx) => {
        const current = await view(tenantId, trx);
        const stored = await findTenantSettings(trx, tenantId);
        const next = {
          tenant_id: tenantId,
          default_country:
            patch.defaultCountry === undefined ? current.defaultCountry : patch.defaultCountry,
          allowed_number_types: JSON.stringify(
            patch.allowedNumberTypes ?? current.allowedNumberTypes,
          ),
          limits_json: applyLimitsPatch(stored?.limits_json ?? null, patch.limits),
          exotel_fallback: (patch.exotelFallbackToTenant ?? current.exotelFallbackToTenant) ? 1 : 0,
          destination_countries: JSON.stringify(
            patch.allowedDestinationCountries === undefined
              ? current.allowedDestinationCountries
              : patch.allowedDestinationCountries,
          ),
          updated_at: nowIso(),
        };
        await saveTenantSettings(trx, next);
        await deps.audit.record(
          {
            tenantId,
            actor,
            action: 'settings.update',
            target: 'settings',
            detail: { fields: [...fields].sort() },
          },
          trx,
        );
        return view(tenantId, trx);
      });
      // After the commit: a read meanwhile may have cached the old policy again.
      policies.delete(tenantId);
      return updated;
    },
  };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
