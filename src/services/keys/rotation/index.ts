// Key rotations, each a leased, resumable job. Named exports only.
export {
  rotateTenantKey,
  runTenantKeyRotation,
  startTenantKeyRotation,
  TENANT_DATA_KEY_JOB,
  type RotationDeps,
  type RunRotationOptions,
  type StartedRotation,
} from './tenant-key-rotation.js';
export {
  rotateIndexKey,
  runIndexKeyRotation,
  startIndexKeyRotation,
  TENANT_INDEX_KEY_JOB,
} from './index-key-rotation.js';
export {
  rotateMasterKey,
  MASTER_KEY_JOB,
  type MasterRotationDeps,
  type MasterRotationResult,
} from './master-key-rotation.js';
export { promoteNewKeyVersion, retireKeyVersion, type PromotedKey } from './key-versions.js';
export type { RotationHooks } from './reencrypt-batch.js';
