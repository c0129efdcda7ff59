// SIP trunks: the tenant's Twilio Elastic SIP trunk for Retell, provisioned by a workflow that
// converges (services/trunks/trunk-workflow.ts; docs/provisioning.md).
export { createTrunkService, type TrunkService } from './trunk-service.js';
export {
  trunkQuery,
  trunkSetup,
  trunkView,
  type TrunkSetup,
  type TrunkView,
} from './trunk-schemas.js';
export { RETELL_SIP_URI } from './trunk-names.js';
export type { TrunkTiming, TrunkTimingInput } from './trunk-workflow.js';
