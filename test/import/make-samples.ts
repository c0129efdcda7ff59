// Writes the sample inputs beside the example mappings (examples/import/): `npx tsx test/import/make-samples.ts`.
// Every secret value is encrypted with the parameters and secrets of the legacy vectors, so the
// examples run with the environment docs/import.md gives. The output is committed; re-running
// this script gives the same files (`git diff` shows none).
import { writeFileSync } from 'node:fs';
import { format } from 'prettier';
import { exotelPhones, hex32, legacyEncoders, sampleSecrets } from './legacy-samples.js';

const dir = new URL('../../examples/import/', import.meta.url);
const enc = legacyEncoders(sampleSecrets());
const write = (name: string, text: string) => writeFileSync(new URL(name, dir), text);
const ndjson = (docs: unknown[]) => docs.map((d) => JSON.stringify(d)).join('\n') + '\n';
const oid = (hex: string) => ({ $oid: hex });

// Field reports 000 and 001: connectorsubaccount documents (mongoexport's default, one a line).
// The hard-coded password is shared by two sub-accounts: imported, and flagged rotate.
const SHARED = '44pass$$scalAI';
const connector = (i: number, name: string, password: string, encrypted: boolean) => ({
  _id: oid(hex32(`connector-${i}`).slice(0, 24)),
  subaccountId: hex32(`subaccount-${i}`).slice(0, 24),
  name,
  connectorType: 'twilio',
  metadata: {
    twilioIntegration: {
      accountSid: `AC${hex32(`account-${i}`)}`,
      trunkSid: `TK${hex32(`trunk-${i}`)}`,
      domainName: `${name}.pstn.twilio.com`,
    },
    retellIntegration: {
      sipCredentials: encrypted
        ? (() => {
            const e = enc.fields(password, `sip-${i}`);
            return {
              username: `${name}_user`,
              password: e.encrypted,
              passwordIV: e.iv,
              passwordAuthTag: e.authTag,
            };
          })()
        : { username: `${name}_user`, password },
    },
  },
  updatedAt: { $date: '2025-11-02T10:00:00.000Z' },
});
write(
  'twilio-connector-subaccounts.sample.ndjson',
  ndjson([
    connector(1, 'scalai5jj7w1sp', SHARED, true),
    connector(2, 'scalaiinowcsai', SHARED, false),
    connector(3, 'scalaiq8dd2mwp', 'Tr0ub4dorAnd3Sip', true),
  ]),
);

// Field report 002: phones with per-number Exotel credentials (`mongoexport --jsonArray`).
// Formatted as the repository's JSON is (prettier), so the committed file is this output.
write(
  'exotel-phones.sample.json',
  await format(JSON.stringify(exotelPhones(enc, 5)), { parser: 'json' }),
);

// Field report 003: the `secrets` collection (blobs holding a JSON object of provider fields) and
// the plaintext `settings` collection it replaced.
const blob = (label: string, fields: Record<string, string>) =>
  enc.packed(JSON.stringify(fields), label);
write(
  'crm-secrets.sample.ndjson',
  ndjson([
    {
      _id: oid(hex32('secret-1').slice(0, 24)),
      tenantId: 'default',
      provider: 'twilio',
      data: blob('secret-1', {
        account_sid: `AC${hex32('crm-account-default')}`,
        auth_token: hex32('crm-token-default'),
        api_key: `SK${hex32('crm-apikey-default')}`,
        api_secret: hex32('crm-apisecret-default'),
      }),
    },
    {
      _id: oid(hex32('secret-2').slice(0, 24)),
      tenantId: 'default',
      provider: 'sendgrid',
      data: blob('secret-2', {
        api_key: `SG.${hex32('sg-id')}.${hex32('sg-secret')}`,
        from_email: 'calls@example.com',
      }),
    },
    {
      _id: oid(hex32('secret-3').slice(0, 24)),
      tenantId: 'acme',
      provider: 'twilio',
      data: blob('secret-3', {
        account_sid: `AC${hex32('crm-account-acme')}`,
        auth_token: hex32('crm-token-acme'),
      }),
    },
  ]),
);
write(
  'crm-settings.sample.ndjson',
  ndjson([
    {
      _id: oid(hex32('settings-1').slice(0, 24)),
      userId: 'legacy-user-7',
      twilio_account_sid: `AC${hex32('settings-account-7')}`,
      twilio_auth_token: hex32('settings-token-7'),
      sendgrid_api_key: `SG.${hex32('settings-sg-7')}.${hex32('settings-sg-7b')}`,
      sendgrid_from_email: 'ops@example.org',
      ui_theme: 'dark',
    },
  ]),
);

// Field report 004: phone numbers under AES-CBC (a SQL dump), and the rate-limit rows keyed by
// the raw number, which are dropped and counted.
const cbcRows = ['+61401148075', '+14155552671', '+447476942799'].map(
  (n, i) => `${i + 1},user-${i + 1},${enc.cbc(n, `cbc-${i}`)},2025-09-0${i + 1}T08:00:00Z`,
);
write(
  'phone-numbers-cbc.sample.csv',
  ['id,user_id,phone_encrypted,created_at', ...cbcRows, ''].join('\n'),
);
write(
  'rate-limits.sample.csv',
  [
    'id,count,window_start',
    'phone:+61401148075,3,1764835200',
    'phone:+14155552671,1,1764835260',
    '192.168.1.1:outbound_call,7,1764835200',
    '',
  ].join('\n'),
);
