import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { generatePkcs11MasterKey } from '../services/keys/index.js';
import type { CliIo } from './io.js';

/**
 * `telvault keygen`: prints a fresh base64 32-byte key (a master key for TELVAULT_MASTER_KEY).
 * `telvault keygen --pkcs11 <uri>`: creates the master key inside a token instead (AES-256,
 * sensitive, never extractable; refuses to replace a key with the same label) and prints its id,
 * for TELVAULT_MASTER_KEY_PKCS11 (or _NEXT_PKCS11) set to the same URI.
 */
export function registerKeygenCommand(program: Command, io: CliIo): void {
  program
    .command('keygen')
    .description('print a fresh random 32-byte key, base64-encoded (for TELVAULT_MASTER_KEY)')
    .option(
      '--pkcs11 <uri>',
      'create the master key in a PKCS#11 token instead: pkcs11:token=<label>;object=<key label>?module-path=<library>&pin-source=file:<pin file>',
    )
    .action((opts: { pkcs11?: string }) => {
      if (opts.pkcs11 === undefined) {
        io.write(`${randomBytes(32).toString('base64')}\n`);
        return;
      }
      const id = generatePkcs11MasterKey('--pkcs11', opts.pkcs11);
      io.write(
        `created master key ${id} in the token: set TELVAULT_MASTER_KEY_PKCS11 to the same URI\n`,
      );
    });
}
