// Property runs that can be replayed. Every run draws from a seed (FC_SEED when it is set, else a
// fresh one), and a failure says which seed and how to run it again: the same seed draws the same
// values, so `FC_SEED=<seed> npx vitest run <file> -t '<test>'` replays the failure and its
// shrinking. A failure seen once in CI is then a failure anyone can study.
import { randomInt } from 'node:crypto';
import { relative } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';

function seedFromEnv(): number | undefined {
  const given = process.env['FC_SEED'];
  if (given === undefined || given === '') return undefined;
  const seed = Number(given);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, got ${given}`);
  return seed;
}

function replayCommand(seed: number): string {
  const { currentTestName, testPath } = expect.getState();
  const file = testPath === undefined ? '<file>' : relative(process.cwd(), testPath);
  const name = (currentTestName ?? '')
    .replaceAll(' > ', ' ')
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return `FC_SEED=${seed} npx vitest run ${file} -t '${name.replaceAll("'", "'\\''")}'`;
}

/** `fc.assert` for async properties, with a seed that a failure prints and FC_SEED replays. */
export async function checkProperty<Ts>(
  property: fc.IAsyncProperty<Ts>,
  options: { numRuns: number },
): Promise<void> {
  const seed = seedFromEnv() ?? randomInt(-(2 ** 31), 2 ** 31);
  const details = await fc.check(property, { numRuns: options.numRuns, seed });
  if (!details.failed) return;
  const report = (await fc.asyncDefaultReportMessage(details)) ?? 'property failed';
  const cause = details.errorInstance;
  const why = cause instanceof Error ? cause.message : String(cause);
  throw new Error(`${report}\nGot: ${why}\n\nreplay: ${replayCommand(details.seed)}`, { cause });
}
