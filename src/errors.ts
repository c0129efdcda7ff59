// Re-export of the project's one error base, for every layer outside crypto/.
export { TelvaultError, type ErrorCode } from './crypto/errors.js';
