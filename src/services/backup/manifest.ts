// The manifest written beside a backup (`<backup>.json`): what a restore checks the backup
// against. It holds no secret: ids of master keys (never their material), the audit head line
// (MAC'd hashes, as `telvault audit head` prints), sizes and a checksum.
//
// Kept by operators with their backups: do not change the meaning of a field (add a field, or a
// new `format`, instead).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TelvaultError } from '../../errors.js';
import './errors.js';

export const MANIFEST_FORMAT = 'telvault-backup/1';

export const manifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  /** The backup file's name (its directory is the manifest's). */
  file: z.string().min(1),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** When the backup's snapshot was taken. */
  takenAt: z.string().min(1),
  telvaultVersion: z.string(),
  /** The last migration applied in the backup. */
  schemaVersion: z.number().int().min(0).nullable(),
  /** Every master key id that wraps one of the backup's keys: a restore needs all of them. */
  masterKeyIds: z.array(z.string().min(1)),
  /** `telvault audit head` of exactly the backup's content. */
  auditHead: z.string().startsWith('tvah2.'),
  auditStreams: z.number().int().min(0),
});

export type BackupManifest = z.infer<typeof manifestSchema>;

export function manifestPathOf(backupFile: string): string {
  return `${backupFile}.json`;
}

/** Reads and checks the manifest at `path`; refusals name the file and the field. */
export function readManifest(path: string): BackupManifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new TelvaultError(
      'ERR_BACKUP_MANIFEST_INVALID',
      `manifest ${path}: cannot read it (${code}); a backup is restored with the manifest \`telvault backup\` wrote beside it`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TelvaultError('ERR_BACKUP_MANIFEST_INVALID', `manifest ${path}: not JSON`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || '(top)';
    throw new TelvaultError(
      'ERR_BACKUP_MANIFEST_INVALID',
      `manifest ${path}: ${field}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}
