// CI reads the suite's closing line (`N passed, N failed[, N skipped]`) from the summary reporter:
// a run that failed must never close with "0 failed", also when a file's setup hook threw and
// Vitest marked its tests skipped.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';

const vitestBin = join(
  dirname(createRequire(import.meta.url).resolve('vitest/package.json')),
  'vitest.mjs',
);

it('counts a file whose setup hook threw as a failure in the closing line', () => {
  const run = spawnSync(
    process.execPath,
    [vitestBin, 'run', '--config', 'test/fixtures/reporter/vitest.fixture.config.ts'],
    { encoding: 'utf8', env: { ...process.env, CI: '' } },
  );
  const closing = run.stdout.trim().split('\n').at(-1);
  expect(run.status).not.toBe(0);
  expect(closing).toBe('1 passed, 1 failed, 2 skipped');
});
