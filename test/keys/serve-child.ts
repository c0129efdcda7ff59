// Child process for the rolling master-key rotation test: `telvault <argv>` from the sources (the
// test runs `serve`, configured by its environment), until SIGTERM closes it.
import { runCli } from '../../src/cli/main.js';

process.exitCode = await runCli(process.argv.slice(2));
