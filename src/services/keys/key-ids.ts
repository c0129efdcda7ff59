// Ids of wrapped keys. A data key's id is also the key id inside every envelope it seals, so its
// shape is a stored format: do not change. Tenant ids are UUIDs, so ids stay within 64 characters.
import { asKeyId, type KeyId } from '../../crypto/index.js';
import type { KeyKind } from '../../store/database.js';

const KIND_LETTER: Record<KeyKind, string> = {
  data: 'd',
  index: 'i',
  system: 's',
  audit: 'a',
  fingerprint: 'f',
};

/** `<tenantId>.d<version>`, `<tenantId>.i<version>`, `system.s|a|f<version>` (system, audit, fingerprint). */
export function tenantKeyId(tenantId: string | null, kind: KeyKind, version: number): KeyId {
  return asKeyId(`${tenantId ?? 'system'}.${KIND_LETTER[kind]}${version}`);
}
