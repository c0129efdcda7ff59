// The project's one error base, for every layer outside crypto/. The imports below bring in each
// layer's declared codes (crypto/errors.ts explains how), so `ErrorCode` is the whole union here.
import './config-errors.js';
import './store/errors.js';
import './services/common/errors.js';
import './services/audit/errors.js';
import './services/records/errors.js';
import './services/phones/errors.js';
import './services/trunks/errors.js';
import './services/tenants/errors.js';
import './services/idempotency/errors.js';
import './services/scan/errors.js';
import './services/keys/errors.js';
import './services/tokens/errors.js';
import './services/limits/errors.js';
import './providers/core/errors.js';
import './http/errors.js';

export { TelvaultError, type ErrorCode } from './crypto/errors.js';
