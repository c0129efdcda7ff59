// /v1/tenants/:tenantId/settings: a tenant's settings (default region, allowed number types,
// outbound limits).
import { settingsPatch, settingsView, type SettingsService } from '../../services/tenants/index.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { tenantParams } from '../schemas.js';

export function settingsRoutes(settings: SettingsService): RouteSpec[] {
  const tags = ['settings'];
  const access = { kind: 'tenant', scope: 'settings:manage', root: true } as const;
  return [
    defineRoute({
      operationId: 'getSettings',
      method: 'GET',
      url: '/v1/tenants/:tenantId/settings',
      summary: "A tenant's settings (the defaults until changed)",
      tags,
      access,
      params: tenantParams,
      status: 200,
      response: settingsView,
      handler: ({ params }) => settings.get(params.tenantId),
    }),
    defineRoute({
      operationId: 'updateSettings',
      method: 'PATCH',
      url: '/v1/tenants/:tenantId/settings',
      summary: "Change a tenant's settings",
      description:
        'Partial: only the fields sent change. defaultCountry (ISO 3166 alpha-2) is the region national phone numbers are read in; null clears it. allowedNumberTypes is a non-empty list of number types. limits sets the outbound limits per kind (calls, messages): perCaller { points, windowSeconds } (per callerIp, else per token) and perDestination, 1 to 4 windows with distinct windowSeconds; points 1 to 100000, windowSeconds 1 to 604800. A kind sent replaces that kind whole; null (for a kind, or for limits) resets to the defaults: 30 per 60 s per caller, 3 per 600 s and 20 per 86400 s per destination.',
      tags,
      access,
      params: tenantParams,
      body: settingsPatch,
      status: 200,
      response: settingsView,
      handler: ({ params, body, actor }) => settings.update(params.tenantId, body, actor),
    }),
  ];
}
