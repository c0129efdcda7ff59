// Wire details shared by both Twilio hosts: SIDs, the two date formats, error bodies, form bodies.
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const API_BASE = 'https://api.twilio.com';
export const TRUNKING_BASE = 'https://trunking.twilio.com';

/** An E.164 number: `+`, a non-zero digit, 6 to 14 more digits. */
export const E164 = /^\+[1-9]\d{6,14}$/;

/** A Twilio SID: two-letter prefix + 32 hex digits (providers.md §1.1). */
export function newSid(prefix: string): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

export function isSid(value: string | undefined, prefix: string): value is string {
  return value !== undefined && new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(value);
}

/** v2010 dates: RFC 2822, `Wed, 19 Aug 2015 19:48:45 +0000`. */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

/** trunking v1 dates: ISO 8601 without milliseconds, `2015-01-02T11:23:45Z`. */
export function iso8601(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Twilio's error JSON (legacy format, providers.md §1.2). */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

export function twilioErrorBody(status: number, code: number, message: string): TwilioErrorBody {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

/** An answer the routes throw; the emulator's error handler sends it as Twilio's error JSON. */
export class TwilioHttpError extends Error {
  readonly status: number;
  readonly code: number;

  constructor(status: number, code: number, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function sendTwilioError(reply: FastifyReply, error: TwilioHttpError): FastifyReply {
  return reply.code(error.status).send(twilioErrorBody(error.status, error.code, error.message));
}

export function notFound(canonicalPath: string): TwilioHttpError {
  return new TwilioHttpError(404, 20404, `The requested resource ${canonicalPath} was not found`);
}

/** 20001 is Twilio's generic "invalid parameter"; the message names the field and the rule. */
export function invalidParam(message: string): TwilioHttpError {
  return new TwilioHttpError(400, 20001, message);
}

/** The request body as URLSearchParams (the form parser's output), or an empty one. */
export function formOf(request: FastifyRequest): URLSearchParams {
  return request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
}

export function queryOf(request: FastifyRequest): URLSearchParams {
  const q = request.url.indexOf('?');
  return new URLSearchParams(q === -1 ? '' : request.url.slice(q + 1));
}

/** The path as the real host saw it: `/twilio-api/2010-04-01/…` → `/2010-04-01/…`. */
export function canonicalPath(request: FastifyRequest): string {
  const path = request.url.split('?')[0] ?? '';
  return path.replace(/^\/twilio-(api|trunking)/, '');
}

/** A present, non-empty form value. */
export function optional(form: URLSearchParams, name: string): string | undefined {
  const value = form.get(name);
  return value === null ? undefined : value;
}

export function required(form: URLSearchParams, name: string): string {
  const value = form.get(name);
  if (value === null || value === '') throw invalidParam(`Required parameter ${name} missing.`);
  return value;
}

export function maxLength(value: string | undefined, name: string, max: number): void {
  if (value !== undefined && value.length > max) {
    throw invalidParam(`${name} must be at most ${max} characters long.`);
  }
}

/** Booleans are sent as `true`/`false` (the SDK's serialize.bool). */
export function bool(form: URLSearchParams, name: string): boolean | undefined {
  const value = form.get(name);
  if (value === null) return undefined;
  if (value === 'true' || value === 'True') return true;
  if (value === 'false' || value === 'False') return false;
  throw invalidParam(`${name} must be true or false.`);
}

export function int(
  form: URLSearchParams,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const value = form.get(name);
  if (value === null) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw invalidParam(`${name} must be an integer between ${min} and ${max}.`);
  }
  return n;
}
