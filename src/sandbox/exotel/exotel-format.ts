// Exotel v1 bodies in both formats: JSON for paths ending in `.json`, XML otherwise, each wrapped
// as Exotel does (`{"Call":…}` / `<TwilioResponse><Call>…`), errors as `RestException`
// (providers.md §5).
import type { FastifyReply } from 'fastify';
import type { ExotelCall } from './exotel-store.js';

export type ExotelFormat = 'json' | 'xml';
type Fields = Record<string, string | number | null>;

/** Exotel's `YYYY-MM-DD HH:mm:ss` timestamps. */
export function exotelTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

export function callFields(call: ExotelCall): Fields {
  return {
    Sid: call.sid,
    ParentCallSid: null,
    DateCreated: exotelTime(call.created),
    DateUpdated: exotelTime(call.updated),
    AccountSid: call.accountSid,
    To: call.to,
    From: call.from,
    PhoneNumberSid: call.callerId,
    Status: call.status,
    StartTime: exotelTime(call.created),
    EndTime: call.status === 'in-progress' ? null : exotelTime(call.updated),
    Duration: null,
    Price: null,
    Direction: 'outbound-api',
    AnsweredBy: null,
    ForwardedFrom: null,
    CallerName: null,
    Uri: `/v1/Accounts/${call.accountSid}/Calls/${call.sid}.json`,
    RecordingUrl: null,
  };
}

export function restException(
  status: number,
  message: string,
  code?: string | number,
): { RestException: Fields } {
  return {
    RestException: {
      Status: status,
      Message: message,
      ...(code === undefined ? {} : { Code: code }),
    },
  };
}

/** `{ Wrapper: fields }` or `{ Wrapper: [fields…] }` as Exotel XML inside `<TwilioResponse>`. */
export function toExotelXml(
  body: Record<string, Fields | Fields[] | Record<string, unknown>>,
): string {
  const element = (name: string, value: unknown): string => {
    if (value === null || value === undefined) return `<${name}/>`;
    if (Array.isArray(value))
      return `<${name}>${value.map((v) => element(singular(name), v)).join('')}</${name}>`;
    if (typeof value === 'object') {
      const inner = Object.entries(value)
        .map(([k, v]) => element(k, v))
        .join('');
      return `<${name}>${inner}</${name}>`;
    }
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return `<${name}>${escapeXml(text)}</${name}>`;
  };
  const inner = Object.entries(body)
    .map(([k, v]) => element(k, v))
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<TwilioResponse>${inner}</TwilioResponse>\n`;
}

export function sendExotel(
  reply: FastifyReply,
  format: ExotelFormat,
  status: number,
  body: Record<string, Fields | Fields[] | Record<string, unknown>>,
): FastifyReply {
  reply.code(status);
  if (format === 'json') return reply.type('application/json; charset=utf-8').send(body);
  return reply.type('application/xml; charset=utf-8').send(toExotelXml(body));
}

export function sendExotelError(
  reply: FastifyReply,
  format: ExotelFormat,
  status: number,
  message: string,
): FastifyReply {
  return sendExotel(reply, format, status, restException(status, message));
}

function singular(name: string): string {
  return name.endsWith('s') ? name.slice(0, -1) : name;
}

function escapeXml(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
