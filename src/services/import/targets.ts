// What each import target takes: its fields, which are required, which are secrets (read only
// through a legacy key, or a `plaintext` key with the explicit flag), and the shape each must have.
import {
  country,
  email,
  exotelSid,
  hex32,
  hostname,
  phoneNumber,
  printable,
  secretName,
  sendgridKey,
  sid,
  sipPassword,
  sipUsername,
  tag,
  token,
  type Shape,
} from './shapes.js';

export const TARGET_TYPES = [
  'tenant',
  'credentials:twilio',
  'credentials:sendgrid',
  'credentials:retell',
  'credentials:exotel',
  'phone',
  'trunk',
  'secret',
  'rate-limit',
] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

export interface FieldDef {
  required: boolean;
  /** A credential: never read as it is, only through a key. */
  secret: boolean;
  shape: Shape;
  /** A list (tags): a JSON array in the record, or a comma-separated string. */
  list?: boolean;
}

const f = (shape: Shape, o: { required?: boolean; secret?: boolean; list?: boolean } = {}) => ({
  shape,
  required: o.required ?? false,
  secret: o.secret ?? false,
  ...(o.list === undefined ? {} : { list: o.list }),
});
const EXOTEL_HOSTS = ['api.exotel.com', 'api.in.exotel.com'];
const exotelHost: Shape = (v) =>
  EXOTEL_HOSTS.includes(v) ? null : `must be one of ${EXOTEL_HOSTS.join(', ')}`;
const phoneProvider: Shape = (v) =>
  ['exotel', 'twilio', 'retell'].includes(v) ? null : 'must be one of exotel, twilio, retell';

export const TARGET_FIELDS: Readonly<Record<TargetType, Readonly<Record<string, FieldDef>>>> = {
  tenant: {},
  'credentials:twilio': {
    accountSid: f(sid('AC'), { required: true }),
    authToken: f(hex32, { secret: true }),
    apiKeySid: f(sid('SK')),
    apiKeySecret: f(token, { secret: true }),
    defaultFrom: f(phoneNumber),
    twimlAppSid: f(sid('AP')),
  },
  'credentials:sendgrid': {
    apiKey: f(sendgridKey, { required: true, secret: true }),
    fromEmail: f(email, { required: true }),
  },
  'credentials:retell': { apiKey: f(token, { required: true, secret: true }) },
  'credentials:exotel': {
    apiKey: f(token, { required: true, secret: true }),
    apiToken: f(token, { required: true, secret: true }),
    sid: f(exotelSid, { required: true }),
    subdomain: f(exotelHost, { required: true }),
  },
  phone: {
    number: f(phoneNumber, { required: true }),
    country: f(country),
    provider: f(phoneProvider, { required: true }),
    label: f(printable),
    tags: f(tag, { list: true }),
    'exotel.apiKey': f(token, { secret: true }),
    'exotel.apiToken': f(token, { secret: true }),
    'exotel.sid': f(exotelSid),
    'exotel.subdomain': f(exotelHost),
  },
  trunk: {
    trunkSid: f(sid('TK'), { required: true }),
    domainName: f(hostname),
    accountSid: f(sid('AC')),
    username: f(sipUsername, { required: true }),
    password: f(sipPassword, { required: true, secret: true }),
  },
  secret: {
    name: f(secretName, { required: true }),
    value: f(printable, { required: true, secret: true }),
  },
  'rate-limit': {},
};

/** Fields that must come together (a phone's own Exotel account: all four or none). */
export const FIELD_GROUPS: Partial<Record<TargetType, readonly string[]>> = {
  phone: ['exotel.apiKey', 'exotel.apiToken', 'exotel.sid', 'exotel.subdomain'],
};
