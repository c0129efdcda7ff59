// Child process for the concurrent start-up test: opens (and so migrates) the database given as
// argv[2], then reports the migrations it sees.
import { openDatabase } from '../../src/store/database.js';

const url = process.argv[2];
// All children open at the same instant (argv[3], epoch ms), after their slow tsx start-up.
const startAt = Number(process.argv[3] ?? 0);
await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
const opened = await openDatabase({ databaseUrl: url, dataDir: '' });
const rows = await opened.db.selectFrom('schema_migrations').select('version').execute();
process.stdout.write(JSON.stringify(rows.map((r) => r.version)));
await opened.close();
