// `npm run bench [-- <filter>]`: runs every bench module listed here (or those whose name contains
// the filter), each printing its own table with ratios measured in the same run.
import { callsBenchModule } from './calls.bench.js';
import { cryptoBench } from './crypto.bench.js';
import { hsmBench } from './hsm.bench.js';
import { httpBench } from './http.bench.js';
import { importBench } from './import.bench.js';
import { phoneBenchModule } from './phone.bench.js';
import { scanBench } from './scan.bench.js';
import { storeBench } from './store.bench.js';
import { trunkRoundsBench } from './trunk-rounds.bench.js';
import type { BenchModule } from './harness.js';

/** Add a module here to include it in `npm run bench`. */
const modules: readonly BenchModule[] = [
  cryptoBench,
  httpBench,
  storeBench,
  phoneBenchModule,
  trunkRoundsBench,
  callsBenchModule,
  importBench,
  scanBench,
  hsmBench,
];

const filters = process.argv.slice(2).filter((arg) => arg !== '--');
const selected = modules.filter(
  (m) => filters.length === 0 || filters.some((f) => m.name.includes(f)),
);
if (selected.length === 0) {
  console.error(
    `no bench module matches ${filters.join(', ')}; modules: ${modules.map((m) => m.name).join(', ')}`,
  );
  process.exitCode = 1;
}
console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
for (const module of selected) {
  console.log(`\n== ${module.name} ==`);
  await module.run();
}
