// The platform's credentials are sealed under the system key: a master-key rotation rewraps that
// key (its material unchanged), so they open afterwards on a node holding only the new master key,
// with their envelopes untouched; and without the system key's master key nothing opens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../src/app/services.js';
import type { Actor } from '../../src/services/audit/actor.js';
import { PLATFORM_SPECS } from '../../src/services/credentials/platform-specs.js';
import { createDeploymentCipher } from '../../src/services/keys/deployment-cipher.js';
import { createKeyService } from '../../src/services/keys/key-service.js';
import { rotateMasterKey } from '../../src/services/keys/rotation/master-key-rotation.js';
import { DIALECTS, openTestStore, randomMasterKey, type TestStore } from '../store/harness.js';

const actor: Actor = { kind: 'cli' };
const body = {
  accountSid: `AC${'a'.repeat(32)}`,
  authToken: 'b'.repeat(32),
  apiKeySid: `SK${'c'.repeat(32)}`,
  apiKeySecret: 'CANARY-platform-api-key-secret-01',
};

describe.each(DIALECTS)('platform credentials across a master-key rotation on %s', (dialect) => {
  let store: TestStore;
  const oldMaster = randomMasterKey();
  const newMaster = randomMasterKey();

  beforeAll(async () => {
    store = await openTestStore(dialect, 'platform-rotation');
  });
  afterAll(async () => {
    await store.close();
  });

  const servicesWith = (masterKeys: Parameters<typeof createKeyService>[0]['masterKeys']) =>
    createServices({
      db: store.db,
      dialect,
      keys: createKeyService({ db: store.db, masterKeys }),
      rootTokenHash: undefined,
    });

  const secretsJson = async () =>
    (
      await store.db
        .selectFrom('platform_credentials')
        .select('secrets_json')
        .executeTakeFirstOrThrow()
    ).secrets_json;

  it('opens after the rotation with only the new master key, envelopes unchanged', async () => {
    const before = servicesWith({ current: oldMaster });
    // No system key yet (no serving node made one): the first write creates it.
    await before.platformCredentials.put('twilio', PLATFORM_SPECS.twilio.body.parse(body), actor);
    const envelopes = await secretsJson();

    // Before the rotation, a node with only the new master key cannot unwrap the system key.
    const row = await store.db
      .selectFrom('platform_credentials')
      .selectAll()
      .executeTakeFirstOrThrow();
    const ref = { entity: 'platform-credential', field: 'authToken', recordId: row.id };
    const sealed = (JSON.parse(envelopes) as Record<string, string>)['authToken'] ?? '';
    const newOnly = createDeploymentCipher({ db: store.db, masterKeys: { current: newMaster } });
    await expect(newOnly.open(ref, sealed)).rejects.toMatchObject({
      code: 'ERR_MASTER_KEY_UNKNOWN',
    });

    const rotated = await rotateMasterKey({
      db: store.db,
      masterKeys: { current: newMaster, previous: oldMaster },
    });
    expect(rotated).toMatchObject({ outcome: 'done', remaining: 0 });
    const system = await store.db
      .selectFrom('tenant_keys')
      .select('master_key_id')
      .where('kind', '=', 'system')
      .executeTakeFirstOrThrow();
    expect(system.master_key_id).toBe(newMaster.id);

    const after = servicesWith({ current: newMaster });
    const used = await after.platformCredentials.use('twilio', 'test.use', actor);
    expect(used.secrets['authToken']?.reveal()).toBe(body.authToken);
    expect(used.secrets['apiKeySecret']?.reveal()).toBe(body.apiKeySecret);
    expect(await secretsJson()).toBe(envelopes);
    expect((await newOnly.open(ref, sealed)).reveal()).toBe(body.authToken);
    // Bound to its row: the same envelope under another record id does not open.
    await expect(newOnly.open({ ...ref, recordId: 'another' }, sealed)).rejects.toMatchObject({
      code: 'ERR_CRYPTO_DECRYPT_FAILED',
    });
  });
});
