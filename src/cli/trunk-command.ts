// `telvault trunk setup|status|repair|rotate-password|delete` and `telvault phones
// purchase|attach`: the SIP trunk workflow over the same services as the API, against the database
// and the providers the environment names (TELVAULT_PROVIDERS, TELVAULT_SANDBOX_URL). A SIP
// password never comes from the command line: from a file (or `-` for stdin) only.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { asTenantId, type TenantId } from '../crypto/index.js';
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
import { writeError, type CliIo } from './io.js';
import { withOperatorServices } from './operator-context.js';

const CLI = { kind: 'cli' } as const;

function readSecretFile(path: string): string {
  const text = readFileSync(path === '-' ? 0 : path, 'utf8');
  return text.replace(/\r?\n$/, '');
}

function summary(v: TrunkView): string {
  const lines = [
    `state        ${v.state}${v.failedStep === null ? '' : ` (failed at ${v.failedStep}: ${v.error?.code ?? '?'}${v.error?.providerCode == null ? '' : `, provider code ${String(v.error.providerCode)}`})`}`,
    `trunk        ${v.trunkSid ?? '-'} ${v.domainName ?? ''}`,
    `list         ${v.credentialList === null ? '-' : `${v.credentialList.sid} (${v.credentialList.origin})`}`,
    `credential   ${v.credential === null ? '-' : `${v.credential.sid} ${v.credential.username} (${v.credential.origin}, password held by telvault)`}`,
    `origination  ${v.originationUrls.map((o) => `${o.sipUrl} (${o.origin})`).join(', ') || '-'}`,
    `numbers      ${v.numbers}`,
    ...v.steps.map(
      (s) => `  ${s.name.padEnd(15)}${s.status}${s.origin === undefined ? '' : ` ${s.origin}`}`,
    ),
    ...v.notes.map((n) => `note: ${n}`),
    ...(v.drift ?? []).map((d) => `drift: ${d.resource}: ${d.problem}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Waits for a job run by this process, showing its progress on stderr. */
async function followJob(
  io: CliIo,
  trunks: TrunkService,
  tenantId: TenantId,
  started: JobView,
): Promise<JobView> {
  let job = started;
  while (job.state === 'pending' || job.state === 'running') {
    await new Promise((r) => setTimeout(r, 200));
    job = await trunks.getJob(tenantId, job.id);
    if (job.progress.total > 0) writeError(io, `\r${job.progress.done}/${job.progress.total}`);
  }
  if (job.progress.total > 0) writeError(io, '\n');
  return job;
}

function printJob(io: CliIo, job: JobView, json: boolean): void {
  if (json) {
    io.write(`${JSON.stringify(job, null, 2)}\n`);
    return;
  }
  io.write(`job ${job.id} ${job.state}${job.error === null ? '' : `: ${job.error}`}\n`);
  const result = job.result as {
    results?: { phoneNumber: string; action: string; reason?: string }[];
  } | null;
  for (const r of result?.results ?? []) {
    io.write(`${r.phoneNumber}\t${r.action}${r.reason === undefined ? '' : `\t${r.reason}`}\n`);
  }
  if (result !== null) {
    const { results: _r, ...counts } = result as Record<string, unknown>;
    io.write(`${JSON.stringify(counts)}\n`);
  }
}

export function registerTrunkCommand(program: Command, io: CliIo): void {
  const trunk = program.command('trunk').description("the tenant's Twilio SIP trunk for Retell");
  const tenantOf = (o: { tenant: string }) => asTenantId(o.tenant);

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
        const v = await withOperatorServices(process.env, (s) =>
          s.trunks.setup(tenantOf(o), body, CLI),
        );
        io.write(o.json === true ? `${JSON.stringify(v, null, 2)}\n` : summary(v));
      },
    );

  trunk
    .command('status')
    .description('the trunk as recorded (--live: compared with Twilio now)')
    .requiredOption('--tenant <tenantId>', 'the tenant')
    .option('--live', 'list drift against Twilio')
    .option('--json', 'print the trunk view as JSON')
    .action(async (o: { tenant: string; live?: boolean; json?: boolean }) => {
      const v = await withOperatorServices(process.env, (s) =>
        s.trunks.get(tenantOf(o), { live: o.live === true, actor: CLI }),
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
        const tenantId = tenantOf(o);
        const job = await withOperatorServices(process.env, async (s) =>
          followJob(io, s.trunks, tenantId, await s.trunks.repair(tenantId, body, CLI, false)),
        );
        printJob(io, job, o.json === true);
        if (job.state === 'failed') process.exitCode = 1;
      },
    );

  trunk
    .command('rotate-password')
    .description('rotate the SIP password through a second credential, with no dead moment')
    .requiredOption('--tenant <tenantId>', 'the tenant')
    .option('--json', 'print the job as JSON')
    .action(async (o: { tenant: string; json?: boolean }) => {
      const tenantId = tenantOf(o);
      const job = await withOperatorServices(process.env, async (s) =>
        followJob(io, s.trunks, tenantId, await s.trunks.rotatePassword(tenantId, CLI, false)),
      );
      printJob(io, job, o.json === true);
      const state = (job.result as { state?: string } | null)?.state;
      if (job.state === 'failed' || state === 'blocked') process.exitCode = 1;
    });

  trunk
    .command('delete')
    .description('offboard: numbers off Retell, released or detached; what telvault made removed')
    .requiredOption('--tenant <tenantId>', 'the tenant')
    .option('--release-numbers', 'release the numbers at Twilio (default: detach them)')
    .action(async (o: { tenant: string; releaseNumbers?: boolean }) => {
      const r = await withOperatorServices(process.env, (s) =>
        s.trunks.offboard(tenantOf(o), { releaseNumbers: o.releaseNumbers === true }, CLI),
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
        const r = await withOperatorServices(process.env, (s) =>
          s.trunks.purchase(tenantOf(o), o.idempotencyKey, body, CLI, true),
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
      const v = await withOperatorServices(process.env, (s) =>
        s.trunks.attach(tenantOf(o), o.phone, body, CLI, true),
      );
      io.write(`${JSON.stringify(v, null, 2)}\n`);
    });
}
