#!/usr/bin/env node
// The `telvault` executable: runs the compiled CLI (`npm run build` writes dist/).
import { runCli } from '../dist/cli/main.js';

process.exitCode = await runCli(process.argv.slice(2));
