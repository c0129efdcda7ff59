// `telvault audit verify`: recomputes every audit stream's hash chain.
import type { Command } from 'commander';
import { TelvaultError } from '../errors.js';
import type { CliIo } from './io.js';
import { withOperatorServices } from './operator-context.js';

export function registerAuditCommand(program: Command, io: CliIo): void {
  const audit = program.command('audit').description('the audit log');
  audit
    .command('verify')
    .description('check the hash chain of every audit stream; exits 1 when one is broken')
    .action(async () => {
      const r = await withOperatorServices(process.env, (s) => s.audit.verify());
      for (const p of r.problems) {
        io.write(
          `BROKEN stream ${p.tenantId ?? 'operator'} at seq ${p.seq} (event ${p.id}): ${p.reason}\n`,
        );
      }
      io.write(
        `${r.events} events in ${r.streams} streams: ${r.ok ? 'chain intact' : 'chain BROKEN'}\n`,
      );
      if (!r.ok)
        throw new TelvaultError(
          'ERR_INTERNAL',
          `audit chain broken in ${r.problems.length} stream(s)`,
        );
    });
}
