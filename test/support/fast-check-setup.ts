// Every fast-check property in the suite is replayable: a failure prints its seed (fast-check's own
// report, or checkProperty's replay line), and FC_SEED=<seed> runs the properties from that seed.
import fc from 'fast-check';

const given = process.env['FC_SEED'];
if (given !== undefined && given !== '') {
  const seed = Number(given);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, got ${given}`);
  fc.configureGlobal({ seed });
}
