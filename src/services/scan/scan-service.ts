// `telvault scan` as a library call: the working tree (and with `history` every commit) searched
// for provider secrets. A finding holds where it is, its kind, the secret's first 4 characters
// and a fingerprint made from those only (fingerprint.ts says why); the value itself never
// leaves the detector.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Secret } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import { findSecrets, isEnvFile } from './detectors.js';
import { fingerprintOf, previewOf } from './fingerprint.js';
import { isGitWorkTree } from './git.js';
import { readHistory } from './history-source.js';
import type { SecretKind } from './secret-kinds.js';
import { listTreeFiles, readTreeFiles } from './tree-files.js';

/** Files larger than this are skipped (and counted): generated bundles, dumps, media. */
export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;

export interface ScanInput {
  /** The directory to scan. */
  path: string;
  /** Also every commit of the git history (all refs). */
  history?: boolean;
  /** Fingerprints of findings to leave out (counted in `allowlisted`). */
  allowlist?: ReadonlySet<string>;
  maxFileBytes?: number;
  /**
   * Receives each reported finding's secret (not .env findings, not allowlisted ones), for
   * `--check-vault`: the one way a value leaves the scan, wrapped so it cannot be printed.
   */
  onSecret?: (finding: ScanFinding, value: Secret<string>) => void;
}

export interface ScanFinding {
  kind: SecretKind;
  /** Relative to the scanned directory, `/`-separated. */
  file: string;
  /** 1-based. */
  line: number;
  /** The commit that added it; absent for the working tree. */
  commit?: string;
  /** The secret's first 4 characters: all of it a finding ever holds. */
  preview: string;
  fingerprint: string;
  /** With `--check-vault`: where telvault stores this very value. */
  vault?: VaultMatch[];
}

export interface VaultMatch {
  tenantId: string;
  provider: string;
  entity: string;
  field: string;
}

export interface ScanReport {
  findings: ScanFinding[];
  allowlisted: number;
  /** Text files scanned in the working tree, and their bytes. */
  files: number;
  bytes: number;
  skippedBinary: number;
  skippedLarge: number;
  git: boolean;
  /** With `history`: commits read and bytes of diff scanned. */
  commits: number;
  historyBytes: number;
}

export async function scanSecrets(input: ScanInput): Promise<ScanReport> {
  const dir = resolve(input.path);
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw new TelvaultError('ERR_SCAN_PATH_INVALID', `path: ${input.path} is not a directory`);
  }
  if (input.history === true && !(await isGitWorkTree(dir))) {
    throw new TelvaultError(
      'ERR_SCAN_GIT_FAILED',
      `--history: ${input.path} is not in a git work tree`,
    );
  }
  const allowlist = input.allowlist ?? new Set<string>();
  const findings: ScanFinding[] = [];
  let allowlisted = 0;
  const add = (kind: SecretKind, file: string, line: number, value: string, commit?: string) => {
    const preview = previewOf(value);
    const fingerprint = fingerprintOf(kind, file, preview);
    if (allowlist.has(fingerprint)) {
      allowlisted++;
      return;
    }
    const finding = {
      kind,
      file,
      line,
      ...(commit === undefined ? {} : { commit }),
      preview,
      fingerprint,
    };
    findings.push(finding);
    if (value !== '') input.onSecret?.(finding, new Secret(value));
  };

  const listing = await listTreeFiles(dir);
  if (listing.git) for (const f of listing.files) if (isEnvFile(f)) add('env-file', f, 1, '');
  const counts = await readTreeFiles(
    dir,
    listing.files,
    input.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    (file, text) => {
      for (const m of findSecrets(text)) add(m.kind, file, m.line + 1, m.value);
    },
  );
  // Files are read concurrently: sort so the output does not depend on which read finished first.
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);

  let history = { commits: 0, bytes: 0 };
  if (input.history === true) {
    history = await readHistory(dir, {
      newFile: (commit, file) => {
        if (isEnvFile(file)) add('env-file', file, 1, '', commit);
      },
      hunk: (h) => {
        for (const m of findSecrets(h.lines.join('\n'))) {
          if (h.added[m.line] === true)
            add(m.kind, h.file, h.lineNumbers[m.line] ?? 0, m.value, h.commit);
        }
      },
    });
  }
  return {
    findings,
    allowlisted,
    ...counts,
    git: listing.git,
    commits: history.commits,
    historyBytes: history.bytes,
  };
}
