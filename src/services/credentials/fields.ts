// Field rules shared by the provider credential schemas. Messages name the rule, never the value.
import { z } from 'zod';

/** Max length of any credential or secret field. */
export const MAX_FIELD_LENGTH = 512;

/** Printable ASCII without spaces: every provider key and token we know of fits. */
export const token = (what: string) =>
  z
    .string()
    .min(1, `must be a non-empty ${what}`)
    .max(MAX_FIELD_LENGTH, `must be at most ${MAX_FIELD_LENGTH} characters`)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** A Twilio SID: two letters then 32 hex digits. */
export const twilioSid = (prefix: string) =>
  z
    .string()
    .regex(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`), `must be ${prefix} followed by 32 hex digits`);

/** E.164: '+', a non-zero digit, 7 to 15 digits in all. */
export const e164 = () => z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number');
