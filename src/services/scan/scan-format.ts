// The text and JSON forms of a scan report (SARIF is in sarif.ts). A finding shows the secret's
// first 4 characters and nothing more of it: the report holds nothing else.
import { SECRET_KIND_INFO } from './secret-kinds.js';
import type { ScanFinding, ScanReport } from './scan-service.js';

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** "tenant T's twilio authToken, …": where telvault stores the value (`--check-vault`). */
export function vaultText(f: ScanFinding): string {
  const where = (f.vault ?? []).map((v) => `tenant ${v.tenantId}'s ${v.provider} ${v.field}`);
  return where.length === 0 ? '' : `stored in telvault as ${where.join(', ')}: rotate it`;
}

function findingLine(f: ScanFinding): string {
  const where = f.commit === undefined ? '' : ` in commit ${f.commit.slice(0, 12)}`;
  const shown = f.preview === '' ? '' : ` ${f.preview}…`;
  const vault = f.vault === undefined ? '' : `  ${vaultText(f)}\n`;
  return `${f.file}:${f.line}${where}: ${SECRET_KIND_INFO[f.kind].title} (${f.kind})${shown}  fingerprint ${f.fingerprint}\n${vault}`;
}

export function summaryLine(r: ScanReport): string {
  const found = r.findings.length === 0 ? 'no secrets found' : `${r.findings.length} finding(s)`;
  const allowed = r.allowlisted === 0 ? '' : `, ${r.allowlisted} allowlisted`;
  const skipped = r.skippedBinary + r.skippedLarge;
  const skippedText = skipped === 0 ? '' : `, ${skipped} binary or large file(s) skipped`;
  const history =
    r.commits === 0 ? '' : `; ${r.commits} commit(s), ${megabytes(r.historyBytes)} of history`;
  return `${found}${allowed} in ${r.files} file(s), ${megabytes(r.bytes)}${skippedText}${history}\n`;
}

export function formatScanText(r: ScanReport): string {
  return r.findings.map(findingLine).join('') + summaryLine(r);
}

export function formatScanJson(r: ScanReport): string {
  const findings = r.findings.map((f) => ({
    kind: f.kind,
    title: SECRET_KIND_INFO[f.kind].title,
    file: f.file,
    line: f.line,
    ...(f.commit === undefined ? {} : { commit: f.commit }),
    preview: f.preview,
    fingerprint: f.fingerprint,
    ...(f.vault === undefined ? {} : { vault: f.vault }),
  }));
  const { allowlisted, files, bytes, skippedBinary, skippedLarge, git, commits, historyBytes } = r;
  const summary = {
    findings: findings.length,
    allowlisted,
    files,
    bytes,
    skippedBinary,
    skippedLarge,
    git,
    commits,
    historyBytes,
  };
  return `${JSON.stringify({ version: 1, findings, summary }, null, 2)}\n`;
}
