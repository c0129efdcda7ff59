// What the sub-account route answers: the account, never its token.
import { z } from 'zod';

export const subaccountView = z
  .object({
    accountSid: z.string().meta({ example: 'AC0123456789abcdef0123456789abcdef' }),
    friendlyName: z.string().meta({ example: 'telvault 0190f0c4-7d1e-7b3a-9c55-2f4e8a1b6c3d' }),
    created: z
      .boolean()
      .describe('True when this call created it at Twilio; false when it existed already.'),
  })
  .meta({ id: 'TwilioSubaccount' });
