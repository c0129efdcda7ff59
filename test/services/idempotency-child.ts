// Child process for the idempotency concurrency test: another "server" on the same SQLite file (or
// PostgreSQL database, argv[7]). Opens its services, prints "ready", waits for a line on stdin,
// then runs `count` requests with one key at once; each run of the work appends a line to the runs
// file. Prints the answers as one JSON line.
import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { asTenantId, parseMasterKey } from '../../src/crypto/index.js';
import { runIdempotent } from '../../src/services/idempotency/index.js';
import { openDatabase } from '../../src/store/database.js';
import { openIdemNode } from './idempotency-support.js';

const [dataDir, masterKey, tenantId, key, runsFile, count, databaseUrl] = process.argv.slice(2);
if (
  dataDir === undefined ||
  masterKey === undefined ||
  tenantId === undefined ||
  key === undefined ||
  runsFile === undefined ||
  count === undefined
) {
  throw new Error(
    'usage: idempotency-child <dataDir> <masterKey> <tenantId> <key> <runsFile> <count> [postgres-url]',
  );
}
const { db, close } = await openDatabase({ dataDir, databaseUrl, poolMax: 4 });
const node = await openIdemNode(db, parseMasterKey(masterKey), {
  leaseMs: 5_000,
  waitMs: 30_000,
  pollMs: 5,
  owner: `child-${process.pid}`,
});
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => lines.once('line', () => resolve()));
lines.close(); // stdin would keep the process alive
const input = {
  tenantId: asTenantId(tenantId),
  key,
  method: 'POST',
  route: '/v1/tenants/:tenantId/messages',
  body: { to: '+61491570006', text: 'hello' },
  mode: 'once' as const,
};
const answers = await Promise.all(
  Array.from({ length: Number(count) }, () =>
    runIdempotent(node.idem, input, async (run) => {
      appendFileSync(runsFile, `${process.pid}\n`);
      await run.markSent();
      await sleep(50); // the provider call: the other process's duplicates arrive meanwhile
      return { status: 201, body: { id: randomUUID() } };
    }),
  ),
);
process.stdout.write(`${JSON.stringify(answers)}\n`);
await close();
