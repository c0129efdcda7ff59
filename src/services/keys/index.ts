// The key hierarchy in use: the key service (seal, open, blind index), master keys and the store's
// current one, node declarations, the start-up check, key status and the rotation jobs.
export { createKeyService, type KeyService } from './key-service.js';
export {
  loadMasterKeys,
  heldMasterKeyIds,
  MASTER_KEY_VARIABLES,
  type MasterKeys,
} from './master-keys.js';
export {
  createDeploymentCipher,
  DEPLOYMENT_SCOPE,
  type DeploymentCipher,
  type DeploymentFieldRef,
} from './deployment-cipher.js';
export { currentWrapKey, recordCurrentMasterKeyIfAbsent } from './master-key-state.js';
export { generatePkcs11MasterKey } from './pkcs11/pkcs11-keygen.js';
export { startNodePresence, type NodePresence } from './node-presence.js';
export {
  assertKeysUsable,
  checkKeysAtStart,
  describeKeyProblem,
  type KeyCheckProblem,
} from './startup-key-check.js';
export type { KeyStatusView } from './key-status.js';
export type { JobOutcome, JobProgress } from './job-runner.js';
export { rotateIndexKey, rotateMasterKey, rotateTenantKey } from './rotation/index.js';
export {
  createTenantKeyRotations,
  type RotationKind,
  type TenantKeyRotations,
} from './tenant-key-rotations.js';
export {
  rotateKeysInput,
  rotationView,
  tenantKeysView,
  type RotationView,
  type TenantKeysView,
} from './tenant-key-schemas.js';
