// Prints the slowest test files (what to look at to keep CI's run short), then the one closing line
// CI reads: `N passed, N failed[, N skipped]`.
import type { SerializedError } from 'vitest';
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
  ): void {
    let passed = 0;
    // An unhandled error fails the run even when every test passed: count each as a failure so
    // the closing line never says "0 failed" for a red run.
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const mod of testModules) {
      let failedHere = 0;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failedHere += 1;
        else skipped += 1;
      }
      // A file that failed without a failed test (a throwing import or setup hook, whose tests
      // are then reported as skipped) still counts once.
      failed += mod.state() === 'failed' && failedHere === 0 ? 1 : failedHere;
    }
    const slowest = testModules
      .map((mod) => {
        const d = mod.diagnostic();
        return { id: mod.moduleId, ms: d.prepareDuration + d.collectDuration + d.duration };
      })
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 10);
    if (slowest.length > 1) {
      const root = process.cwd() + '/';
      process.stdout.write('\nslowest test files (import, collect, tests and hooks):\n');
      for (const m of slowest) {
        process.stdout.write(
          `  ${(m.ms / 1000).toFixed(1).padStart(6)} s  ${m.id.replace(root, '')}\n`,
        );
      }
    }
    const tail = skipped > 0 ? `, ${skipped} skipped` : '';
    process.stdout.write(`\n${passed} passed, ${failed} failed${tail}\n`);
  }
}
