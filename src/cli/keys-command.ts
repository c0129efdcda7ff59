// `telvault keys status|rotate-master|rotate-tenant`: the key hierarchy from the operator's side.
// Long work shows a progress bar on a terminal (plain progress lines otherwise); Ctrl-C stops it
// between batches, and running the same command again resumes from the saved cursor.
import type { Command } from 'commander';
import type { JobOutcome } from '../services/keys/index.js';
import type { KeyStatusView } from '../services/keys/index.js';
import { rotateIndexKey } from '../services/keys/index.js';
import { rotateMasterKey } from '../services/keys/index.js';
import { rotateTenantKey } from '../services/keys/index.js';
import type { CliIo } from './io.js';
import { progressReporter } from './progress.js';
import { backfillSecretFingerprints } from '../services/records/index.js';
import { openOperatorServices, withOperatorServices } from './operator-context.js';
import type { OperatorContext } from './operator-context.js';
import { finishDevKeyRotation, stageDevKeyRotation } from './dev-key-files.js';
import { TelvaultError } from '../errors.js';

const CLI = { kind: 'cli' } as const;

/** Runs `fn` with a signal that Ctrl-C (SIGINT/SIGTERM) aborts. */
export async function interruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await fn(ac.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function finish(io: CliIo, outcome: JobOutcome, what: string): void {
  if (outcome === 'interrupted') {
    throw new Error(`${what} interrupted; run the same command again to resume`);
  }
  io.write(`${what} done\n`);
}

/** Runs `fn` with the services and their database open (rotations need both). */
async function withKeyContext<T>(fn: (o: OperatorContext) => Promise<T>): Promise<T> {
  const opened = await openOperatorServices(process.env);
  try {
    return await fn(opened);
  } finally {
    await opened.close();
  }
}

export function formatKeyStatus(status: KeyStatusView): string {
  const lines = [`master keys in use: ${status.masterKeyIds.join(', ') || '(none)'}`];
  for (const m of status.masterKeys) {
    lines.push(`master key ${m.id} ${m.state} provider=${m.provider}`);
  }
  for (const n of status.nodes) {
    const seen = n.live ? 'live' : 'not seen lately';
    lines.push(`node ${n.nodeId} holds ${n.keyIds.join(', ')} (${seen}, last ${n.seenAt})`);
  }
  for (const p of status.problems) {
    lines.push(
      `problem: tenant ${p.tenantId ?? '(system)'} ${p.kind} key v${p.version}: ${p.problem}`,
    );
  }
  for (const k of status.system) {
    lines.push(
      `system ${k.kind} v${k.version} ${k.state} master=${k.masterKeyId} provider=${k.masterKeyProvider}`,
    );
  }
  for (const j of status.jobs) lines.push(`job ${j.kind} ${j.state} ${j.done}/${j.total}`);
  for (const t of status.tenants) {
    lines.push(`tenant ${t.tenantId} (${t.name})`);
    for (const k of t.keys) {
      lines.push(
        `  ${k.kind} v${k.version} ${k.state} rows=${k.rows} master=${k.masterKeyId} provider=${k.masterKeyProvider}`,
      );
    }
    for (const j of t.jobs) lines.push(`  job ${j.kind} ${j.state} ${j.done}/${j.total}`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerKeysCommand(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('key status and rotation');
  keys
    .command('status')
    .description('per tenant: key versions, states, rows per version, running jobs')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const status = await withOperatorServices(process.env, (s) => s.keys.keyStatus());
      io.write(
        opts.json === true ? `${JSON.stringify(status, null, 2)}\n` : formatKeyStatus(status),
      );
    });
  keys
    .command('backfill-fingerprints')
    .description(
      'fingerprint the stored secrets that have none (written before the leak check), so POST /v1/leak-check finds them; safe to run again and while serving',
    )
    .action(async () => {
      await withKeyContext(async ({ services: s, database }) => {
        const r = await backfillSecretFingerprints({ db: database.db, keys: s.keys });
        await s.audit.record({
          tenantId: null,
          actor: CLI,
          action: 'keys.backfill-fingerprints',
          target: 'secret-fingerprints',
          detail: { rows: r.rows, added: r.added },
        });
        io.write(`fingerprints: ${r.added} added over ${r.rows} rows\n`);
      });
    });
  keys
    .command('rotate-master')
    .description(
      'make TELVAULT_MASTER_KEY the current master key (once every running node holds it) and rewrap every key under it',
    )
    .action(async () => {
      await withKeyContext((ctx) => rotateMaster(io, ctx));
    });
  keys
    .command('rotate-tenant <tenantId>')
    .description("rotate a tenant's data key and re-encrypt its rows (resumable)")
    .option('--index', "rotate the tenant's blind-index key instead (recomputes every index)")
    .action(async (tenantId: string, opts: { index?: boolean }) => {
      const index = opts.index === true;
      await withKeyContext(async ({ services: s, database }) => {
        // The tenant as the store knows it (ERR_NOT_FOUND otherwise), its id branded.
        const tenant = await s.tenants.get(tenantId);
        const reporter = progressReporter(io, index ? 're-index' : 're-encrypt');
        const deps = { db: database.db, keys: s.keys };
        const run = index ? rotateIndexKey : rotateTenantKey;
        const r = await interruptible((signal) =>
          run(deps, tenant.id, { signal, onProgress: (p) => reporter.update(p) }),
        ).finally(() => reporter.stop());
        await s.audit.record({
          tenantId,
          actor: CLI,
          action: index ? 'keys.rotate-tenant-index' : 'keys.rotate-tenant',
          target: tenantId,
          detail: { toVersion: r.toVersion, resumed: r.resumed, outcome: r.outcome },
        });
        const what = index ? 'blind-index key rotation' : 'data-key rotation';
        finish(io, r.outcome, `${what} of ${tenantId} to v${r.toVersion}`);
      });
    });
}

function whenNotDeclared(staged: boolean, files: OperatorContext['devKeyFiles']) {
  return (err: unknown): never => {
    if (staged && err instanceof TelvaultError && err.code === 'ERR_MASTER_KEY_NOT_DECLARED') {
      throw new TelvaultError(
        err.code,
        `${err.message}. In this dev data directory the new key is already in ${files.keyFile} and the old one in ${files.previousFile}: restart \`telvault dev\` (it then holds both) and run this again`,
      );
    }
    throw err;
  };
}

async function rotateMaster(io: CliIo, ctx: OperatorContext): Promise<void> {
  const { services: s, database, devKeyFiles } = ctx;
  const masterKeys = s.keys.masterKeys;
  // A dev data directory keeps its key files in step: the new key file is written (the old one
  // kept beside it) before any key is wrapped under the new key.
  const staged =
    ctx.config.masterKey !== undefined && stageDevKeyRotation(devKeyFiles, ctx.config.masterKey);
  const reporter = progressReporter(io, 'rewrap');
  const r = await interruptible((signal) =>
    rotateMasterKey(
      { db: database.db, masterKeys },
      { signal, onProgress: (p) => reporter.update(p) },
    ),
  )
    .catch(whenNotDeclared(staged, devKeyFiles))
    .finally(() => reporter.stop());
  await s.audit.record({
    tenantId: null,
    actor: CLI,
    action: 'keys.rotate-master',
    target: masterKeys.current.id,
    detail: { outcome: r.outcome, remaining: r.remaining, retired: r.retired },
  });
  finish(io, r.outcome, 'master-key rotation');
  if (r.remaining > 0) {
    io.write(`${r.remaining} key(s) are still wrapped by another master key: run this again\n`);
    return;
  }
  const old = r.retired.length > 0 ? ` (${r.retired.join(', ')} retired)` : '';
  io.write(
    `every key is wrapped by the current master key ${masterKeys.current.id}; the previous one is no longer needed${old}\n`,
  );
  if (devKeyFiles.current !== undefined && finishDevKeyRotation(devKeyFiles)) {
    io.write(`removed ${devKeyFiles.previousFile}\n`);
  }
}
