// Tenants' Twilio sub-accounts under the platform's parent account.
export {
  createSubaccountService,
  SUBACCOUNT_OPERATION,
  type SubaccountService,
  type SubaccountView,
} from './subaccount-service.js';
export { subaccountName } from './subaccount-names.js';
export { subaccountView } from './subaccount-schemas.js';
