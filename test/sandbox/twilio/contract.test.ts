// Contract conformance and the secret invariant, over a tour of every Twilio operation the
// sandbox serves: each 2xx answer validates against the official OpenAPI response schema, and no
// response (or client log entry) contains an auth token, API secret or SIP password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.js';
import { TWILIO_SPECS_PRESENT, TwilioSpecValidator } from './spec-validator.js';
import { runTwilioTour, type TourResult } from './twilio-tour.js';

/** The operations issue 5 lists for Twilio (method + route pattern as registered). */
const EXPECTED_ROUTES = [
  'GET /twilio-api/2010-04-01/Accounts/:AccountSid.json',
  'POST /twilio-api/2010-04-01/Accounts/:AccountSid/SIP/CredentialLists.json',
  'GET /twilio-api/2010-04-01/Accounts/:AccountSid/SIP/CredentialLists.json',
  'GET /twilio-api/2010-04-01/Accounts/:AccountSid/SIP/CredentialLists/:Sid.json',
  'POST /twilio-api/2010-04-01/Accounts/:AccountSid/SIP/CredentialLists/:Sid.json',
  'DELETE /twilio-api/2010-04-01/Accounts/:AccountSid/SIP/CredentialLists/:Sid.json',
  'POST /twilio-api/2010-04-01/Accounts/:AccountSid/SIP/CredentialLists/:CredentialListSid/Credentials.json',
  'GET /twilio-api/2010-04-01/Accounts/:AccountSid/SIP/CredentialLists/:CredentialListSid/Credentials.json',
  'GET /twilio-api/2010-04-01/Accounts/:AccountSid/SIP/CredentialLists/:CredentialListSid/Credentials/:Sid.json',
  'POST /twilio-api/2010-04-01/Accounts/:AccountSid/SIP/CredentialLists/:CredentialListSid/Credentials/:Sid.json',
  'DELETE /twilio-api/2010-04-01/Accounts/:AccountSid/SIP/CredentialLists/:CredentialListSid/Credentials/:Sid.json',
  'POST /twilio-api/2010-04-01/Accounts/:AccountSid/IncomingPhoneNumbers.json',
  'GET /twilio-api/2010-04-01/Accounts/:AccountSid/IncomingPhoneNumbers.json',
  'GET /twilio-api/2010-04-01/Accounts/:AccountSid/IncomingPhoneNumbers/:Sid.json',
  'POST /twilio-api/2010-04-01/Accounts/:AccountSid/IncomingPhoneNumbers/:Sid.json',
  'DELETE /twilio-api/2010-04-01/Accounts/:AccountSid/IncomingPhoneNumbers/:Sid.json',
  'GET /twilio-api/2010-04-01/Accounts/:AccountSid/AvailablePhoneNumbers/:CountryCode/Local.json',
  'GET /twilio-api/2010-04-01/Accounts/:AccountSid/AvailablePhoneNumbers/:CountryCode/TollFree.json',
  'GET /twilio-api/2010-04-01/Accounts/:AccountSid/AvailablePhoneNumbers/:CountryCode/Mobile.json',
  'POST /twilio-api/2010-04-01/Accounts/:AccountSid/Messages.json',
  'GET /twilio-api/2010-04-01/Accounts/:AccountSid/Messages.json',
  'GET /twilio-api/2010-04-01/Accounts/:AccountSid/Messages/:Sid.json',
  'POST /twilio-api/2010-04-01/Accounts/:AccountSid/Calls.json',
  'GET /twilio-api/2010-04-01/Accounts/:AccountSid/Calls.json',
  'GET /twilio-api/2010-04-01/Accounts/:AccountSid/Calls/:Sid.json',
  'POST /twilio-trunking/v1/Trunks',
  'GET /twilio-trunking/v1/Trunks',
  'GET /twilio-trunking/v1/Trunks/:Sid',
  'POST /twilio-trunking/v1/Trunks/:Sid',
  'DELETE /twilio-trunking/v1/Trunks/:Sid',
  'POST /twilio-trunking/v1/Trunks/:TrunkSid/OriginationUrls',
  'GET /twilio-trunking/v1/Trunks/:TrunkSid/OriginationUrls',
  'GET /twilio-trunking/v1/Trunks/:TrunkSid/OriginationUrls/:Sid',
  'POST /twilio-trunking/v1/Trunks/:TrunkSid/OriginationUrls/:Sid',
  'DELETE /twilio-trunking/v1/Trunks/:TrunkSid/OriginationUrls/:Sid',
  'POST /twilio-trunking/v1/Trunks/:TrunkSid/CredentialLists',
  'GET /twilio-trunking/v1/Trunks/:TrunkSid/CredentialLists',
  'GET /twilio-trunking/v1/Trunks/:TrunkSid/CredentialLists/:Sid',
  'DELETE /twilio-trunking/v1/Trunks/:TrunkSid/CredentialLists/:Sid',
  'POST /twilio-trunking/v1/Trunks/:TrunkSid/IpAccessControlLists',
  'GET /twilio-trunking/v1/Trunks/:TrunkSid/IpAccessControlLists',
  'DELETE /twilio-trunking/v1/Trunks/:TrunkSid/IpAccessControlLists/:Sid',
  'POST /twilio-trunking/v1/Trunks/:TrunkSid/PhoneNumbers',
  'GET /twilio-trunking/v1/Trunks/:TrunkSid/PhoneNumbers',
  'GET /twilio-trunking/v1/Trunks/:TrunkSid/PhoneNumbers/:Sid',
  'DELETE /twilio-trunking/v1/Trunks/:TrunkSid/PhoneNumbers/:Sid',
];

describe('Twilio sandbox contract', () => {
  let sb: TestSandbox;
  let tour: TourResult;

  beforeAll(async () => {
    sb = await startTestSandbox();
    tour = await runTwilioTour(sb);
  });
  afterAll(() => sb.close());

  const twilioExchanges = () => sb.context.exchanges.entries.filter((e) => e.provider === 'twilio');

  it('the tour reached every operation of the issue, and every Twilio route served, with a success', () => {
    const served = new Set(
      twilioExchanges()
        .filter((e) => e.status >= 200 && e.status < 300)
        .map((e) => `${e.method} ${e.route ?? ''}`),
    );
    expect(EXPECTED_ROUTES.filter((r) => !served.has(r))).toEqual([]);
    const twilioRoutes = [...sb.context.routes].filter((r) => / \/twilio-/.test(r));
    expect(twilioRoutes.length).toBeGreaterThan(EXPECTED_ROUTES.length);
    expect(twilioRoutes.filter((r) => !served.has(r))).toEqual([]);
  });

  it.skipIf(!TWILIO_SPECS_PRESENT)(
    'every answer validates against the official OpenAPI response schema (skipped without ../shared)',
    () => {
      const validator = new TwilioSpecValidator();
      const problems: string[] = [];
      let validated = 0;
      for (const e of twilioExchanges()) {
        if (e.status < 200 || e.status >= 300) continue;
        const host = e.url.startsWith('/twilio-api/') ? 'api' : 'trunking';
        const path = (e.url.split('?')[0] ?? '').replace(/^\/twilio-(api|trunking)/, '');
        const op = validator.find(host, path, e.method);
        if (op === undefined) {
          problems.push(`${e.method} ${path}: not in the spec`);
          continue;
        }
        if (!op.statuses.includes(String(e.status))) {
          problems.push(
            `${e.method} ${op.specPath}: status ${e.status} not in ${op.statuses.join(',')}`,
          );
        }
        if (e.status === 204 || op.validate === undefined) continue;
        if (!op.validate(JSON.parse(e.responseBody ?? 'null'))) {
          problems.push(
            `${e.method} ${op.specPath}: ${JSON.stringify(op.validate.errors?.slice(0, 3))}`,
          );
        }
        validated += 1;
      }
      expect(problems).toEqual([]);
      expect(validated).toBeGreaterThan(40);
    },
  );
  if (!TWILIO_SPECS_PRESENT) {
    console.warn('Twilio contract conformance skipped: ../shared/specs/twilio is absent');
  }

  it('no response and no client log entry contains a secret', () => {
    const leaks: string[] = [];
    for (const e of sb.context.exchanges.entries) {
      const seen = `${e.responseBody ?? ''} ${JSON.stringify(e.responseHeaders)}`;
      for (const secret of tour.secrets)
        if (seen.includes(secret)) leaks.push(`${e.method} ${e.url}`);
      if (/"(password|auth_password|secret)"\s*:/.test(e.responseBody ?? ''))
        leaks.push(`key in ${e.url}`);
    }
    const log = JSON.stringify(tour.clientLog);
    for (const secret of tour.secrets) if (log.includes(secret)) leaks.push('client log');
    expect(tour.clientLog.length).toBeGreaterThan(50);
    expect(leaks).toEqual([]);
  });

  it('the secrets did reach the sandbox (the scan looks at real traffic)', () => {
    const requests = JSON.stringify(sb.context.exchanges.entries.map((e) => e.requestBody));
    expect(requests).toContain('IWasAtSignal2018');
  });
});
