// Exotel's v1 voice API, mounted at /exotel/<host> for each API host (= https://<host>/…):
// Basic auth with the account's API key and token, `Calls/connect` (form-encoded, JSON with
// `.json` and XML without), and the call log (providers.md §5, §8.5).
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../sandbox-context.js';
import {
  callFields,
  restException,
  sendExotel,
  sendExotelError,
  toExotelXml,
} from './exotel-format.js';
import { registerExotelCallLogRoutes } from './exotel-call-log.js';
import { accountOf, formatOf, setAccount } from './exotel-http.js';
import { isExotelHost, type ExotelCall } from './exotel-store.js';

const FORM = 'application/x-www-form-urlencoded';
const PHONE = /^(\+|0)?\d{6,15}$/;
type AccountParams = { Params: { host: string; sid: string } };

export const exotelEmulator: FastifyPluginAsync<{ context: SandboxContext }> = (
  app,
  { context },
) => {
  const store = context.exotel;
  context.errorFormatters.exotel = (status, code, message, request) => {
    const body = restException(status, message, code);
    return formatOf(request) === 'json' ? body : toExotelXml(body);
  };

  // Exotel posts forms; keep repeated keys (URLSearchParams, as the exchange log expects).
  if (app.hasContentTypeParser(FORM)) app.removeContentTypeParser(FORM);
  app.addContentTypeParser(FORM, { parseAs: 'string' }, (_request, body, done) => {
    done(null, new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8')));
  });

  app.setErrorHandler((error: { statusCode?: number }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode < 500 ? 400 : 500;
    const message = status === 400 ? 'Bad request' : 'Internal server error';
    return sendExotelError(reply, formatOf(request), status, message);
  });
  app.setNotFoundHandler((request, reply) =>
    sendExotelError(reply, formatOf(request), 404, 'The requested resource was not found'),
  );

  app.addHook('onRequest', async (request, reply) => {
    const { host, sid } = request.params as { host?: string; sid?: string };
    const format = formatOf(request);
    if (host === undefined || !isExotelHost(host) || sid === undefined) {
      return sendExotelError(reply, format, 404, 'The requested resource was not found');
    }
    const credentials = basicCredentials(request.headers.authorization);
    const account =
      credentials === undefined
        ? undefined
        : store.authenticate(host, sid, credentials.user, credentials.password);
    if (account === undefined) {
      // The real body of Exotel's 401 is unverified (providers.md §10); RestException is likely.
      return sendExotelError(reply, format, 401, 'Authentication is required to view this page.');
    }
    setAccount(request, account);
    return undefined;
  });

  const connect = (request: FastifyRequest<AccountParams>): ExotelCall | string => {
    const form = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
    const problem = connectProblem(form);
    if (problem !== undefined) return problem;
    const account = accountOf(request);
    const now = new Date();
    const call: ExotelCall = {
      sid: randomBytes(16).toString('hex'),
      accountSid: account.sid,
      apiKey: account.apiKey,
      from: form.get('From') ?? '',
      to: form.get('To'),
      callerId: form.get('CallerId') ?? '',
      url: form.get('Url'),
      statusCallback: form.get('StatusCallback'),
      statusCallbackContentType: form.get('StatusCallbackContentType'),
      customField: form.get('CustomField'),
      status: 'in-progress',
      created: now,
      updated: now,
    };
    account.calls.set(call.sid, call);
    return call;
  };
  for (const [path, format] of [
    ['/:host/v1/Accounts/:sid/Calls/connect', 'xml'],
    ['/:host/v1/Accounts/:sid/Calls/connect.json', 'json'],
  ] as const) {
    app.post<AccountParams>(path, async (request, reply) => {
      const result = connect(request);
      if (typeof result === 'string') return sendExotelError(reply, format, 400, result);
      return sendExotel(reply, format, 200, { Call: callFields(result) });
    });
  }

  registerExotelCallLogRoutes(app);
  return Promise.resolve();
};

/**
 * Every parameter of Calls/connect (providers.md §5, from Exotel's "Connect Two Numbers" docs).
 * Any other is refused with a 400 naming it: Exotel's docs never say one is ignored.
 */
const CONNECT_PARAMS = new Set([
  'From',
  'To',
  'CallerId',
  'Url',
  'CallType',
  'TimeLimit',
  'TimeOut',
  'WaitUrl',
  'Record',
  'RecordingChannels',
  'RecordingFormat',
  'StreamUrl',
  'StreamBegin',
  'CustomField',
  'StatusCallback',
  'StatusCallbackEvents[]',
  'StatusCallbackEvents[0]',
  'StatusCallbackEvents[1]',
  'StatusCallbackContentType',
  'StartPlaybackToNew',
  'StartPlaybackValueNew',
]);

function connectProblem(form: URLSearchParams): string | undefined {
  const unknown = [...new Set(form.keys())].filter((name) => !CONNECT_PARAMS.has(name));
  if (unknown.length > 0) return `Invalid parameter: ${unknown.join(', ')} (unknown)`;
  for (const name of ['From', 'CallerId']) {
    if (!form.get(name)) return `Missing parameter: ${name}`;
  }
  if (!form.get('To') && !form.get('Url')) return 'Missing parameter: To (or Url)';
  for (const name of ['From', 'To', 'CallerId']) {
    const value = form.get(name);
    if (value && !PHONE.test(value)) return `Invalid parameter: ${name} is not a valid number`;
  }
  const timeLimit = form.get('TimeLimit');
  if (
    timeLimit !== null &&
    !(Number.isInteger(Number(timeLimit)) && Number(timeLimit) > 0 && Number(timeLimit) <= 14400)
  ) {
    return 'Invalid parameter: TimeLimit must be between 1 and 14400';
  }
  for (const name of ['Url', 'StatusCallback']) {
    const value = form.get(name);
    if (value !== null && !/^https?:\/\/\S+$/.test(value))
      return `Invalid parameter: ${name} is not a URL`;
  }
  return undefined;
}

function basicCredentials(
  header: string | undefined,
): { user: string; password: string } | undefined {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
