// What the platform's own webhook receivers send to have a provider's signature checked inside
// telvault (so they never hold the Twilio auth token or the Retell key), and the answer.
import { z } from 'zod';

export const webhookVerifyInput = z
  .discriminatedUnion(
    'provider',
    [
      z.strictObject({
        provider: z.literal('twilio'),
        url: z
          .url({ protocol: /^https?$/, error: 'must be the full http(s) URL Twilio posted to' })
          .max(4096, 'must be at most 4096 characters'),
        params: z
          .record(z.string().max(256), z.string().max(65_536, 'must be at most 65536 characters'), {
            error: 'must be an object of the form fields Twilio posted (strings)',
          })
          .refine((p) => Object.keys(p).length <= 200, 'must hold at most 200 fields'),
        signature: z.string({ error: 'is required' }).min(1, 'must not be empty').max(512),
      }),
      z.strictObject({
        provider: z.literal('retell'),
        body: z
          .string({ error: 'must be the raw request body as a string' })
          .max(1_000_000, 'must be at most 1000000 characters'),
        signature: z.string({ error: 'is required' }).min(1, 'must not be empty').max(512),
      }),
    ],
    { error: 'provider: must be twilio or retell' },
  )
  .brand<'WebhookVerifyInput'>();
export type WebhookVerifyInput = z.output<typeof webhookVerifyInput>;

export const webhookVerifyView = z
  .object({ valid: z.boolean() })
  .meta({ id: 'WebhookVerifyResult' });
export type WebhookVerifyView = z.infer<typeof webhookVerifyView>;
