// SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/) for code-scanning tools,
// with what GitHub code scanning requires: version, $schema, runs[].tool.driver.name and rules,
// results[].ruleId, message.text, locations[].physicalLocation (artifactLocation.uri relative to
// the repository root, region.startLine) and partialFingerprints (so an alert is tracked across
// runs; ours holds no part of the secret beyond its first 4 characters, see fingerprint.ts).
import { SECRET_KIND_INFO, SECRET_KINDS } from './secret-kinds.js';
import { vaultText } from './scan-format.js';
import type { ScanFinding, ScanReport } from './scan-service.js';

export const SARIF_SCHEMA =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const SARIF_TOOL_NAME = 'telvault-scan';
/** The partialFingerprints key. Tracked by code-scanning tools across runs: do not change. */
export const SARIF_FINGERPRINT_KEY = 'telvaultScan/v1';

const rules = SECRET_KINDS.map((kind) => ({
  id: kind,
  name: SECRET_KIND_INFO[kind].title,
  shortDescription: { text: SECRET_KIND_INFO[kind].title },
  fullDescription: { text: SECRET_KIND_INFO[kind].help },
  help: { text: SECRET_KIND_INFO[kind].help },
  defaultConfiguration: { level: 'error' },
  properties: { tags: ['security', 'secret'], 'security-severity': '9.0' },
}));

/** A relative URI: each path segment percent-encoded (a space or `#` in a file name). */
function fileUri(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}

function result(f: ScanFinding) {
  const shown = f.preview === '' ? '' : ` (${f.preview}…)`;
  const where = f.commit === undefined ? '' : ` in commit ${f.commit}`;
  const vault = f.vault === undefined ? '' : ` ${vaultText(f)}.`;
  const properties = {
    ...(f.commit === undefined ? {} : { commit: f.commit }),
    ...(f.vault === undefined ? {} : { vault: f.vault }),
  };
  return {
    ruleId: f.kind,
    ruleIndex: SECRET_KINDS.indexOf(f.kind),
    level: 'error',
    message: {
      text: `${SECRET_KIND_INFO[f.kind].title}${shown}${where}.${vault} ${SECRET_KIND_INFO[f.kind].help}`,
    },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: fileUri(f.file), uriBaseId: '%SRCROOT%' },
          region: { startLine: f.line },
        },
      },
    ],
    partialFingerprints: { [SARIF_FINGERPRINT_KEY]: f.fingerprint },
    ...(Object.keys(properties).length === 0 ? {} : { properties }),
  };
}

export function toSarif(r: ScanReport): object {
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: SARIF_TOOL_NAME, rules } },
        results: r.findings.map(result),
      },
    ],
  };
}

export function formatScanSarif(r: ScanReport): string {
  return `${JSON.stringify(toSarif(r), null, 2)}\n`;
}
