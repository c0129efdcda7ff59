// Child process for the crash test: runs (or resumes) a tenant's data-key rotation on the SQLite
// file under argv[2] (or the PostgreSQL database argv[5]) and prints a line per saved batch, until
// done or killed.
import { parseMasterKey } from '../../src/crypto/index.js';
import { asTenantId } from '../../src/crypto/index.js';
import { createKeyService } from '../../src/services/keys/key-service.js';
import { rotateTenantKey } from '../../src/services/keys/rotation/tenant-key-rotation.js';
import { openDatabase } from '../../src/store/database.js';

const [dataDir, masterKey, tenantId, databaseUrl] = process.argv.slice(2);
if (dataDir === undefined || masterKey === undefined || tenantId === undefined) {
  throw new Error('usage: crash-child <dataDir> <masterKey> <tenantId> [postgres-url]');
}
const { db, close } = await openDatabase({ dataDir, databaseUrl, poolMax: 2 });
const keys = createKeyService({
  db,
  masterKeys: { current: parseMasterKey(masterKey) },
  cache: { stampCheckMs: 100 },
});
process.stdout.write('started\n');
const r = await rotateTenantKey({ db, keys }, asTenantId(tenantId), {
  owner: 'crash-child',
  batchSize: 7,
  onProgress: (p) => process.stdout.write(`progress ${p.done}/${p.total}\n`),
});
process.stdout.write(`outcome ${r.outcome}\n`);
await close();
