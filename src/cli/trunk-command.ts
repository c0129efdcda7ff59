// `telvault trunk setup|status|repair|rotate-password|delete` and `telvault phones
// purchase|attach`: the SIP trunk workflow over the same services as the API, against the database
// and the providers the environment names (TELVAULT_PROVIDERS, TELVAULT_SANDBOX_URL), refused as
// `serve` refuses them when they cannot mean what they say. A SIP password never comes from the
// command line: from a file (or `-` for stdin) only. Failures end with exit code 1 (through
// runCli's return value: bin/telvault.js sets process.exitCode from it).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { OpenedServices } from '../app/open-services.js';
import { loadConfig, providerTargetProblems } from '../config.js';
import type { TenantId } from '../crypto/index.js';
import { TelvaultError } from '../errors.js';
import { parseInput } from '../services/common/index.js';
import {
  phoneAttach,
  phonePurchase,
  trunkRepair,
  trunkSetup,
  type JobView,
  type TrunkService,
  type TrunkView,
} from '../services/trunks/index.js';
import type { CliIo } from './io.js';
import { withOperatorServices } from './operator-context.js';
import { progressReporter } from './progress.js';
import { printJob, summary } from './trunk-format.js';

const CLI = { kind: 'cli' } as const;
// The CLI runs beside the database with the master key (it could open every row): it shows the
// tenant's numbers in full, as its purchase and attach do. The root token's API views mask them.
const CLI_VIEW = { showNumbers: true } as const;
type Services = OpenedServices['services'];

/**
 * Runs `fn` for the tenant named by `--tenant` (ERR_NOT_FOUND when there is none) with the services
 * open, once the provider target is one `serve` would accept (TELVAULT_SANDBOX_URL set while the
 * providers are live, the default, would otherwise send to the live providers what was meant for
 * a sandbox).
 */
async function withTenant<T>(
  o: { tenant: string },
  fn: (s: Services, tenantId: TenantId) => Promise<T>,
): Promise<T> {
  const problems = providerTargetProblems(loadConfig(process.env), 'serve');
  if (problems.length > 0) throw new TelvaultError('ERR_CONFIG_INVALID', problems.join('; '));
  return withOperatorServices(process.env, async (s) => fn(s, (await s.tenants.get(o.tenant)).id), {
    providers: true,
  });
}

function readSecretFile(path: string): string {
  const text = readFileSync(path === '-' ? 0 : path, 'utf8');
  return text.replace(/\r?\n$/, '');
}

const POLL_MS = 200;
/** A job whose record has not moved for this long is left to a later run (its process died?). */
const STALLED_MS = 10 * 60_000;

/** Follows a job to its end, its progress on stderr (a bar on a terminal); the job as it ended. */
async function followJob(
  io: CliIo,
  trunks: TrunkService,
  tenantId: TenantId,
  started: JobView,
  label: string,
): Promise<JobView> {
  const reporter = progressReporter(io, label, { stderr: true });
  let job = started;
  let moved = Date.now();
  try {
    while (job.state === 'pending' || job.state === 'running') {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const next = await trunks.getJob(tenantId, job.id, CLI_VIEW);
      if (next.updatedAt !== job.updatedAt || next.state !== job.state) moved = Date.now();
      job = next;
      if (job.progress.total > 0) reporter.update(job.progress);
      if (Date.now() - moved > STALLED_MS) {
        throw new TelvaultError(
          'ERR_TRUNK_BUSY',
          `job ${job.id} has not moved for 10 minutes (its process may have died): run the command again to resume it`,
        );
      }
    }
  } finally {
    reporter.stop();
  }
  await trunks.drain();
  return job;
}

export function registerTrunkCommand(program: Command, io: CliIo): void {
  const trunk = program
    .command('trunk')
    .description("the tenant's Twilio SIP trunk for Retell (docs/provisioning.md)");

  trunk
    .command('setup')
    .description('set up (or adopt) the trunk; re-entrant')
    .requiredOption('--tenant <tenantId>', 'the tenant')
    .option('--adopt-trunk <TK…>', 'take over this trunk made elsewhere')
    .option('--adopt-credential <CR…>', 'the credential of the adopted trunk')
    .option(
      '--adopt-password-file <file>',
      "the adopted credential's password, from a file (- for stdin)",
    )
    .option('--origination-uri <sip:…>', 'where inbound calls go (default Retell)')
    .option('--json', 'print the trunk view as JSON')
    .action(
      async (o: {
        tenant: string;
        adoptTrunk?: string;
        adoptCredential?: string;
        adoptPasswordFile?: string;
        originationUri?: string;
        json?: boolean;
      }) => {
        if (
          o.adoptTrunk === undefined &&
          (o.adoptCredential ?? o.adoptPasswordFile) !== undefined
        ) {
          throw new TelvaultError(
            'ERR_VALIDATION',
            '--adopt-credential and --adopt-password-file: only with --adopt-trunk',
          );
        }
        const body = parseInput(
          trunkSetup,
          {
            ...(o.adoptTrunk === undefined
              ? {}
              : {
                  adopt: {
                    trunkSid: o.adoptTrunk,
                    ...(o.adoptCredential === undefined
                      ? {}
                      : { credentialSid: o.adoptCredential }),
                    ...(o.adoptPasswordFile === undefined
                      ? {}
                      : { password: readSecretFile(o.adoptPasswordFile) }),
                  },
                }),
            ...(o.originationUri === undefined
              ? {}
              : { inbound: { originationUri: o.originationUri } }),
          },
          'options',
        );
        const print = (v: TrunkView) =>
          io.write(o.json === true ? `${JSON.stringify(v, null, 2)}\n` : summary(v));
        const v = await withTenant(o, async (s, tenantId) => {
          try {
            return await s.trunks.setup(tenantId, body, CLI);
          } catch (err) {
            // The trunk as the failed run left it: the step, and the provider's code.
            const left = await s.trunks.get(tenantId, { actor: CLI }).catch(() => undefined);
            if (left?.state === 'failed') print(left);
            throw err;
          }
        });
        print(v);
      },
    );

  trunk
    .command('status')
    .description('the trunk as recorded (--live: compared with Twilio now)')
    .requiredOption('--tenant <tenantId>', 'the tenant')
    .option('--live', 'list drift against Twilio')
    .option('--json', 'print the trunk view as JSON')
    .action(async (o: { tenant: string; live?: boolean; json?: boolean }) => {
      const v = await withTenant(o, (s, tenantId) =>
        s.trunks.get(tenantId, { live: o.live === true, actor: CLI }),
      );
      io.write(o.json === true ? `${JSON.stringify(v, null, 2)}\n` : summary(v));
    });

  trunk
    .command('repair')
    .description("fix the SIP auth of the tenant's Retell numbers on the trunk")
    .requiredOption('--tenant <tenantId>', 'the tenant')
    .option('--dry-run', 'report what would be fixed, change nothing')
    .option('--phone-number <+…>', 'only this number')
    .option('--json', 'print the job as JSON')
    .action(
      async (o: { tenant: string; dryRun?: boolean; phoneNumber?: string; json?: boolean }) => {
        const body = parseInput(
          trunkRepair,
          {
            ...(o.dryRun === true ? { dryRun: true } : {}),
            ...(o.phoneNumber === undefined ? {} : { phoneNumber: o.phoneNumber }),
          },
          'options',
        );
        const job = await withTenant(o, async (s, tenantId) =>
          followJob(
            io,
            s.trunks,
            tenantId,
            await s.trunks.repair(tenantId, body, CLI, false, CLI_VIEW),
            'repair',
          ),
        );
        printJob(io, job, o.json === true);
        const failed = (job.result as { failed?: number } | null)?.failed ?? 0;
        if (job.state === 'failed') throw new Error('the repair job failed (above)');
        if (failed > 0) throw new Error(`${failed} number(s) could not be fixed (above)`);
      },
    );

  trunk
    .command('rotate-password')
    .description('rotate the SIP password through a second credential, with no dead moment')
    .requiredOption('--tenant <tenantId>', 'the tenant')
    .option('--json', 'print the job as JSON')
    .action(async (o: { tenant: string; json?: boolean }) => {
      const job = await withTenant(o, async (s, tenantId) =>
        followJob(
          io,
          s.trunks,
          tenantId,
          await s.trunks.rotatePassword(tenantId, CLI, false, CLI_VIEW),
          'rotation',
        ),
      );
      printJob(io, job, o.json === true);
      const state = (job.result as { state?: string } | null)?.state;
      if (job.state === 'failed') throw new Error('the rotation job failed (above)');
      if (state === 'blocked') {
        throw new Error(
          'the rotation is blocked by the numbers above: fix them, then run it again',
        );
      }
    });

  trunk
    .command('delete')
    .description('offboard: numbers off Retell, released or detached; what telvault made removed')
    .requiredOption('--tenant <tenantId>', 'the tenant')
    .option('--release-numbers', 'release the numbers at Twilio (default: detach them)')
    .action(async (o: { tenant: string; releaseNumbers?: boolean }) => {
      const r = await withTenant(o, (s, tenantId) =>
        s.trunks.offboard(tenantId, { releaseNumbers: o.releaseNumbers === true }, CLI),
      );
      io.write(`numbers released ${r.numbers.released}, detached ${r.numbers.detached}\n`);
      for (const x of r.removed) io.write(`removed\t${x.resource}\t${x.sid}\n`);
      for (const x of r.leftInPlace) io.write(`left in place\t${x.resource}\t${x.sid}\n`);
    });

  const phones = program.command('phones').description('numbers on the trunk');
  phones
    .command('purchase')
    .description('buy a number onto the trunk and import it into Retell (idempotent per key)')
    .requiredOption('--tenant <tenantId>', 'the tenant')
    .requiredOption('--idempotency-key <key>', 'the same key never buys twice')
    .option('--number <+…>', 'this number (E.164)')
    .option('--area-code <digits>', 'the first available number in this area code')
    .option('--country <CC>', 'ISO 3166 alpha-2 (default US)')
    .option('--type <local|mobile|tollFree>', 'number type (default local)')
    .option('--label <text>', 'the phone label')
    .action(
      async (o: {
        tenant: string;
        idempotencyKey: string;
        number?: string;
        areaCode?: string;
        country?: string;
        type?: string;
        label?: string;
      }) => {
        const body = parseInput(
          phonePurchase,
          {
            ...(o.number === undefined ? {} : { phoneNumber: o.number }),
            ...(o.areaCode === undefined ? {} : { areaCode: o.areaCode }),
            ...(o.country === undefined ? {} : { country: o.country }),
            ...(o.type === undefined ? {} : { type: o.type }),
            ...(o.label === undefined ? {} : { label: o.label }),
          },
          'options',
        );
        const r = await withTenant(o, (s, tenantId) =>
          s.trunks.purchase(tenantId, o.idempotencyKey, body, CLI, true),
        );
        io.write(`${JSON.stringify(r.body, null, 2)}\n`);
      },
    );
  phones
    .command('attach')
    .description('put a number the tenant owns at Twilio on the trunk and on Retell')
    .requiredOption('--tenant <tenantId>', 'the tenant')
    .requiredOption('--phone <phoneId>', 'the phone')
    .action(async (o: { tenant: string; phone: string }) => {
      const body = parseInput(phoneAttach, {}, 'options');
      const v = await withTenant(o, (s, tenantId) =>
        s.trunks.attach(tenantId, o.phone, body, CLI, true),
      );
      io.write(`${JSON.stringify(v, null, 2)}\n`);
    });
}
