// A tenant's settings as the API takes and shows them: the default region national phone numbers
// are read in, the number types the tenant accepts, and its outbound limits policy.
import { isSupportedCountry } from 'libphonenumber-js/max';
import { z } from 'zod';
import { limitsPatch, limitsView } from '../limits/index.js';
import { PHONE_NUMBER_TYPES } from '../phones/phone-number.js';

/** An ISO 3166 alpha-2 region libphonenumber knows, upper case. */
export const countryCode = z
  .string({ error: 'must be an ISO 3166 alpha-2 region such as AU' })
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 region such as AU (upper case)')
  .refine((c) => isSupportedCountry(c), 'must be an ISO 3166 alpha-2 region such as AU');

const numberType = z.enum(PHONE_NUMBER_TYPES, {
  error: `must be one of ${PHONE_NUMBER_TYPES.join(', ')}`,
});

/** PATCH body: only what is sent changes; null clears defaultCountry and resets limits. */
export const settingsPatch = z
  .strictObject({
    defaultCountry: countryCode.nullable().optional(),
    allowedNumberTypes: z
      .array(numberType, { error: 'must be a list of number types' })
      .min(1, 'must list at least one number type')
      .max(PHONE_NUMBER_TYPES.length, `must list at most ${PHONE_NUMBER_TYPES.length} types`)
      .refine((l) => new Set(l).size === l.length, 'must not repeat a type')
      .optional(),
    limits: limitsPatch.optional(),
    exotelFallbackToTenant: z.boolean({ error: 'must be true or false' }).optional(),
    allowedDestinationCountries: z
      .array(countryCode, { error: 'must be a list of ISO 3166 alpha-2 regions' })
      .min(1, 'must list at least one region (null allows any)')
      .max(300, 'must list at most 300 regions')
      .refine((l) => new Set(l).size === l.length, 'must not repeat a region')
      .nullable()
      .optional(),
  })
  .brand<'SettingsPatch'>();
export type SettingsPatch = z.output<typeof settingsPatch>;

export const settingsView = z
  .object({
    defaultCountry: z.string().nullable(),
    allowedNumberTypes: z.array(numberType),
    limits: limitsView,
    exotelFallbackToTenant: z
      .boolean()
      .describe(
        "An Exotel phone without an account of its own calls through the tenant's Exotel credentials (default false: a platform with many Exotel accounts must never call through the wrong one).",
      ),
    allowedDestinationCountries: z
      .array(z.string())
      .nullable()
      .describe('The regions calls and messages may go to; null: any.'),
    updatedAt: z.string().nullable().describe('null: never changed (the defaults apply).'),
  })
  .meta({ id: 'TenantSettings' });
export type SettingsView = z.infer<typeof settingsView>;
