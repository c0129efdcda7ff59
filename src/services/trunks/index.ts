// SIP trunks: the tenant's Twilio Elastic SIP trunk for Retell, provisioned by a workflow that
// converges (services/trunks/trunk-workflow.ts; docs/provisioning.md).
export { createTrunkService, type TrunkService } from './trunk-service.js';
export {
  jobQuery,
  offboardQuery,
  offboardView,
  phoneAttach,
  phonePurchase,
  phoneReleaseQuery,
  jobView,
  trunkQuery,
  trunkRepair,
  trunkSetup,
  trunkView,
  type TrunkSetup,
  type TrunkView,
} from './trunk-schemas.js';
export type { JobView } from './trunk-jobs.js';
export type { ImportedTrunkInput } from './trunk-import.js';
export { RETELL_SIP_URI } from './trunk-names.js';
export type { TrunkTiming, TrunkTimingInput } from './trunk-workflow.js';
