// A provider's refusal reaches the API caller with what the provider said: the error body's
// `provider` object (name, code, message, moreInfo), for an SMS refused by Twilio, a call refused
// by Exotel and an email refused by SendGrid. The canary: the vendor message embeds the tenant's
// own credential and the full destination number, and neither reaches the body or a log line.
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/server.js';
import { commsTenant, indianMobile, useCommsStack } from '../comms/support.js';

interface ErrorJson {
  error: { code: string; message: string; requestId: string; provider?: unknown };
}
const leaky = (number: string, canary: string) =>
  `The 'To' number ${number} is not a valid phone number (credential ${canary} refused).`;
const masked = (number: string) =>
  `${number.slice(0, 2)}${'*'.repeat(number.length - 6)}${number.slice(-4)}`;

describe.each(DIALECTS)('provider detail in the HTTP error on %s', (dialect) => {
  const stack = useCommsStack(dialect);

  it('an SMS Twilio refuses, a call Exotel refuses, an email SendGrid refuses', async () => {
    const { s, sb } = stack;
    const t = await commsTenant(s, sb, 'detail');
    const url = (what: string) => `/v1/tenants/${t.tenantId}/${what}`;
    const fault = (route: string, action: Record<string, unknown>) =>
      sb.admin('POST', 'faults', { method: 'POST', route, action: { kind: 'error', ...action } });

    const to = '+14155550161';
    await fault('/twilio-api/2010-04-01/Accounts/:AccountSid/Messages.json', {
      status: 400,
      code: 21606,
      message: leaky(to, t.twilio.authToken),
    });
    const sms = await s.request('POST', url('messages'), {
      token: t.token,
      body: { to, body: 'hello' },
    });
    expect(sms.status, sms.text).toBe(502);
    expect((sms.json as ErrorJson).error).toEqual({
      code: 'ERR_PROVIDER_REJECTED',
      message: 'twilio messages.create failed: HTTP 400 (code 21606)',
      requestId: expect.any(String) as unknown,
      provider: {
        name: 'twilio',
        code: 21606,
        message: `The 'To' number ${masked(to)} is not a valid phone number (credential [redacted] refused).`,
        moreInfo: 'https://www.twilio.com/docs/errors/21606',
      },
    });

    const mobile = indianMobile();
    await fault('/exotel/:host/v1/Accounts/:sid/Calls/connect.json', {
      status: 400,
      code: 'NDNC',
      message: leaky(mobile, t.exotel.apiToken),
    });
    const call = await s.request('POST', url('calls'), {
      token: t.token,
      body: { fromPhoneId: t.phones.exotel, to: mobile },
    });
    expect(call.status, call.text).toBe(502);
    expect((call.json as ErrorJson).error.provider).toEqual({
      name: 'exotel',
      code: 'NDNC',
      message: `The 'To' number ${masked(mobile)} is not a valid phone number (credential [redacted] refused).`,
    });

    await fault('/sendgrid/v3/mail/send', { status: 400, message: leaky(to, t.sendgridKey) });
    const email = await s.request('POST', url('emails'), {
      token: t.token,
      body: { to: ['ana@example.org'], subject: 'Hi', text: 'Hello' },
    });
    expect(email.status, email.text).toBe(502);
    expect((email.json as ErrorJson).error.provider).toMatchObject({ name: 'sendgrid' });

    const seen = [sms.text, call.text, email.text, ...s.logLines].join('\n');
    for (const secret of [t.twilio.authToken, t.exotel.apiToken, t.sendgridKey, to, mobile]) {
      expect(seen).not.toContain(secret);
    }
    await sb.admin('DELETE', 'faults');
  });
});
