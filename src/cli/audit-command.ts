// `telvault audit verify [--head FILE]`: recomputes every audit stream's keyed chain and holds it
// against its MAC'd head (and, with a head file, against a head line taken earlier, so a database
// rolled back to an older copy is noticed). `telvault audit head`: prints that line, to keep
// outside the database.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TelvaultError } from '../errors.js';
import type { CliIo } from './io.js';
import { withOperatorServices } from './operator-context.js';

/** The text of a `--head` file (a line `telvault audit head` printed). */
export function readHeadFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new TelvaultError('ERR_VALIDATION', `--head: cannot read ${file} (${code})`);
  }
}

export function registerAuditCommand(program: Command, io: CliIo): void {
  const audit = program.command('audit').description('the audit log');
  audit
    .command('verify')
    .description('check every audit stream against its chain and head; exits 1 when one is broken')
    .option('--head <file>', 'also check against a line `telvault audit head` printed earlier')
    .action(async (opts: { head?: string }) => {
      const headLine = opts.head === undefined ? undefined : readHeadFile(opts.head);
      const r = await withOperatorServices(process.env, (s) =>
        s.audit.verify(headLine === undefined ? {} : { headLine }),
      );
      for (const p of r.problems) {
        const event = p.id === null ? '' : ` (event ${p.id})`;
        io.write(
          `BROKEN stream ${p.tenantId ?? 'operator'} at seq ${p.seq}${event}: ${p.reason}\n`,
        );
      }
      io.write(
        `${r.events} events in ${r.streams} streams: ${r.ok ? 'chain intact' : 'chain BROKEN'}\n`,
      );
      if (r.anchor !== undefined && r.ok) {
        io.write(
          `no stream is behind the head file of ${r.anchor.at} (${r.anchor.streams} streams)\n`,
        );
      }
      if (!r.ok)
        throw new TelvaultError(
          'ERR_INTERNAL',
          `audit chain broken in ${r.problems.length} place(s)`,
        );
    });
  audit
    .command('head')
    .description("print every stream's head as one MAC'd line, to keep outside the database")
    .action(async () => {
      const h = await withOperatorServices(process.env, (s) => s.audit.head());
      io.write(`${h.line}\n`);
    });
}
