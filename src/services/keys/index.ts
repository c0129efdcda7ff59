// The key hierarchy in use: the key service (seal, open, blind index), master keys, the start-up
// check, key status and the rotation jobs.
export { createKeyService, type KeyService } from './key-service.js';
export { loadMasterKeys, type MasterKeys } from './master-keys.js';
export { assertKeysUsable } from './startup-key-check.js';
export type { KeyStatusView } from './key-status.js';
export type { JobOutcome, JobProgress } from './job-runner.js';
export { rotateIndexKey, rotateMasterKey, rotateTenantKey } from './rotation/index.js';
