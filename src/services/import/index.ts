// `telvault import`: a platform's existing data brought in from its legacy formats, through the
// services (the CLI command and the library's importRecords share this path).
export {
  importRecords,
  type ImportInput,
  type ImportOptions,
  type ImportServices,
} from './import-service.js';
export { exitCodeOf, type ImportReport, type Outcome } from './import-report.js';
export { envKeySecrets, type KeySecretReader } from './legacy-keys.js';
export {
  parseMapping,
  parseMappingText,
  type ImportMapping,
  type InputFormat,
} from './mapping-schema.js';
export { checkMapping } from './mapping-check.js';
export { readRecords, type SourceRecord } from './read-input.js';
export { TARGET_TYPES, type TargetType } from './targets.js';
