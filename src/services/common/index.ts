// What every domain shares: the redacting logger and input parsing.
export { createLogger, maskPhones, type Logger } from './logger.js';
export { maskPhonesIn } from './phone-mask.js';
export { assertSafeInput, fieldLabel, parseChecked, parseInput } from './validation.js';
