// Child process for the kill test: `telvault backup` of the SQLite database under argv[2] to
// argv[3], a few pages a step; in the middle of the copy it says `copying` and blocks for good (the
// test then kills it with SIGKILL: a kill at a known point, with no timing).
import { parseMasterKey } from '../../src/crypto/index.js';
import { createBackup } from '../../src/services/backup/index.js';

const [dataDir, file, masterKey] = process.argv.slice(2);
if (dataDir === undefined || file === undefined || masterKey === undefined) {
  throw new Error('usage: backup-child <dataDir> <file> <masterKey>');
}
await createBackup({
  dataDir,
  file,
  masterKeys: { current: parseMasterKey(masterKey) },
  pagesPerStep: 4,
  onProgress: ({ done, total }) => {
    if (done === 0 || done >= total) return;
    process.stdout.write(`copying ${done}/${total}\n`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  },
});
process.stdout.write('done\n');
