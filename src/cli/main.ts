import { Command, CommanderError } from 'commander';
import { processIo, writeError, type CliIo } from './io.js';
import { registerKeygenCommand } from './keygen-command.js';
import { registerKeysCommand } from './keys-command.js';
import { registerSandboxCommand } from './sandbox-command.js';
import { registerScanCommand } from './scan-command.js';
import { registerAuditCommand } from './audit-command.js';
import { registerBackupCommands } from './backup-command.js';
import { registerDevCommand } from './dev-command.js';
import { registerImportCommand } from './import-command.js';
import { registerMigrateCommand } from './migrate-command.js';
import { registerServeCommand } from './serve-command.js';
import { registerTenantCommand } from './tenant-command.js';
import { registerTokenCommand } from './token-command.js';
import { registerTrunkCommand } from './trunk-command.js';
import { TELVAULT_VERSION } from '../version.js';

function buildProgram(io: CliIo): Command {
  const program = new Command('telvault')
    .description('credential vault and telephony provisioning for voice-AI platforms')
    .version(TELVAULT_VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.write(s),
      writeErr: (s) => writeError(io, s),
    });
  registerKeygenCommand(program, io);
  registerKeysCommand(program, io);
  registerSandboxCommand(program, io);
  registerDevCommand(program, io);
  registerServeCommand(program, io);
  registerTenantCommand(program, io);
  registerTokenCommand(program, io);
  registerTrunkCommand(program, io);
  registerAuditCommand(program, io);
  registerBackupCommands(program, io);
  registerImportCommand(program, io);
  registerScanCommand(program, io);
  registerMigrateCommand(program, io);
  return program;
}

/** Runs the CLI with `argv` (without node and script) and resolves to the process exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    const message = err instanceof Error ? err.message : 'unexpected error';
    writeError(io, `telvault: ${message}\n`);
    return 1;
  }
}
