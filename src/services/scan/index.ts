// `telvault scan`: provider secrets in a working tree and its git history.
export { parseAllowlist, readAllowlist } from './allowlist.js';
export { findSecrets, isEnvFile, type SecretMatch } from './detectors.js';
export { fingerprintOf, PREVIEW_LENGTH } from './fingerprint.js';
export { formatScanSarif, SARIF_FINGERPRINT_KEY, toSarif } from './sarif.js';
export { formatScanJson, formatScanText, summaryLine } from './scan-format.js';
export {
  DEFAULT_MAX_FILE_BYTES,
  scanSecrets,
  type ScanFinding,
  type ScanInput,
  type ScanReport,
  type VaultMatch,
} from './scan-service.js';
export { checkVault, type VaultCheckInput } from './vault-check.js';
export { SECRET_KIND_INFO, SECRET_KINDS, type SecretKind } from './secret-kinds.js';
