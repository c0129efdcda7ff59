import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import type { CliIo } from './io.js';

/** `telvault keygen`: prints a fresh base64 32-byte key (a master key for TELVAULT_MASTER_KEY). */
export function registerKeygenCommand(program: Command, io: CliIo): void {
  program
    .command('keygen')
    .description('print a fresh random 32-byte key, base64-encoded (for TELVAULT_MASTER_KEY)')
    .action(() => {
      io.write(`${randomBytes(32).toString('base64')}\n`);
    });
}
