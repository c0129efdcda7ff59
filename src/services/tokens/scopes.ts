// Tenant token scopes. `secrets:write` and `secrets:read` are ours beyond the list: named
// secrets are a different thing from provider credentials, so writing or listing them has its own
// scope, and `secrets:reveal` stays the only way to get a value back.
export const SCOPES = [
  'credentials:write',
  'credentials:read',
  'secrets:write',
  'secrets:read',
  'secrets:reveal',
  'phones:write',
  'phones:read',
  'calls:create',
  'messages:send',
  'trunks:manage',
  'audit:read',
  'tokens:manage',
  'settings:manage',
  // The records of calls, messages and emails; the signature check for the platform's receivers.
  'activity:read',
  'webhooks:verify',
  // The tenant's key versions, states, rows per key and running rotation (never key material).
  'keys:read',
] as const;

export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
