// The source of `telvault migrate`, read in its snapshot: a schema this telvault knows whole (every
// table one it copies, at its version), no node serving it, keys the configured master keys open,
// its row counts, and its fingerprint. The copy itself never unwraps a key or opens an envelope;
// the master key is needed only here, to refuse early a copy nothing could serve (a key that does
// not unwrap), and to load the audit key that checks the audit chains after the copy.
import { createHash } from 'node:crypto';
import type { AuditMacs } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import { listAuditHeads } from '../../store/audit-head-repo.js';
import { COPY_TABLES, countRows, NOT_COPIED, type CopiedTable } from '../../store/table-copy.js';
import { appliedVersions, LATEST_VERSIONS, listTables } from '../../store/table-introspection.js';
import { listAllTenantKeys, listTenantKeys } from '../../store/tenant-key-repo.js';
import { loadAuditMacs } from '../keys/audit-key.js';
import { findUnwrapProblems } from '../keys/unwrap-check.js';
import { listLiveNodes, NODE_LIVE_MS } from '../keys/master-key-state.js';
import { MASTER_KEY_VARIABLES, type MasterKeys } from '../keys/master-keys.js';
import './errors.js';

export interface SourceState {
  counts: Map<CopiedTable, number>;
  /** Which deployment, in which state: the progress a re-run may continue is this one's only. */
  fingerprint: string;
  /** The audit key's MACs; undefined when the source has no audit key (it never ran). */
  macs: AuditMacs | undefined;
}

const refuse = (message: string) => new TelvaultError('ERR_MIGRATE_SOURCE_INVALID', message);

async function checkSchema(src: Database): Promise<void> {
  const known = new Set<string>([...COPY_TABLES.map((t) => t.table), ...NOT_COPIED]);
  const unknown = [...(await listTables(src)).keys()].filter((t) => !known.has(t));
  const versions = await appliedVersions(src);
  if (unknown.length > 0 || versions.some((v) => !LATEST_VERSIONS.includes(v))) {
    throw refuse(
      `the source's schema is newer than this telvault's (${unknown.length > 0 ? `tables ${unknown.join(', ')}` : `migration ${versions[versions.length - 1]}`}): migrate with the telvault version that serves it`,
    );
  }
}

async function checkNoNodeServing(src: Database, now: number): Promise<void> {
  const live = await listLiveNodes(src, now);
  if (live.length > 0) {
    throw refuse(
      `${live.length} telvault node(s) serve this SQLite database (a heartbeat within ${NODE_LIVE_MS / 1000} s): stop them first, so no write after the copy is lost (a node that crashed counts as gone ${NODE_LIVE_MS / 1000} s after its last heartbeat)`,
    );
  }
}

/** Every key that is not retired must unwrap: a key nothing could open would be copied useless. */
async function checkKeys(src: Database, masterKeys: MasterKeys): Promise<AuditMacs | undefined> {
  const rows = await listAllTenantKeys(src);
  const failed = findUnwrapProblems(
    rows.filter((r) => r.state !== 'retired'),
    masterKeys,
  ).map((p) => {
    const problem =
      p.problem === 'master-key-unknown'
        ? `wrapped by ${p.masterKeyId}, not configured`
        : 'does not unwrap';
    return `tenant ${p.tenantId ?? '(system)'} ${p.kind} key v${p.version}: ${problem}`;
  });
  if (failed.length > 0) {
    throw new TelvaultError(
      'ERR_MIGRATE_KEYS',
      `the configured master key(s) cannot open ${failed.length} key(s) of the source: ${failed.slice(0, 20).join('; ')} (set ${MASTER_KEY_VARIABLES} to the key(s) serving it); nothing was copied`,
    );
  }
  return rows.some((r) => r.tenant_id === null && r.kind === 'audit' && r.state === 'primary')
    ? loadAuditMacs(src, masterKeys)
    : undefined;
}

/** SHA-256 of what identifies the source and its state: its deployment keys' ids, counts, heads. */
async function fingerprintOf(src: Database, counts: Map<CopiedTable, number>): Promise<string> {
  const keys = (await listTenantKeys(src, null)).map((k) => [
    k.id,
    k.kind,
    k.version,
    k.created_at,
  ]);
  const heads = (await listAuditHeads(src)).map((h) => [h.stream, h.seq, h.hash]);
  const text = JSON.stringify({ keys, counts: [...counts], heads });
  return createHash('sha256').update('telvault/migrate-source/v1\n').update(text).digest('hex');
}

export async function inspectSource(
  src: Database,
  masterKeys: MasterKeys,
  now: number = Date.now(),
): Promise<SourceState> {
  await checkSchema(src);
  await checkNoNodeServing(src, now);
  const macs = await checkKeys(src, masterKeys);
  const counts = new Map<CopiedTable, number>();
  for (const { table } of COPY_TABLES) counts.set(table, await countRows(src, table));
  return { counts, fingerprint: await fingerprintOf(src, counts), macs };
}
