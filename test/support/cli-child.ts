// Runs the CLI in a child process as bin/telvault.js does, but from the TypeScript sources (no
// build needed): `node --import tsx test/support/cli-child.ts <command> …`.
import { runCli } from '../../src/cli/main.js';

process.exitCode = await runCli(process.argv.slice(2));
