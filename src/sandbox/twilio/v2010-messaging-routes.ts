// v2010 Messages and Calls (create → 201 queued, list, fetch). A StatusCallback given at create is
// kept on the resource; the admin surface moves the status and sends it (twilio-status-admin.ts).
// Error codes from providers.md §1.8 (21211, 21212, 21606, 21210) and Twilio's 2160x.
import type { FastifyInstance } from 'fastify';
import {
  E164,
  TwilioHttpError,
  canonicalPath,
  formOf,
  newSid,
  notFound,
  optional,
  queryOf,
} from './twilio-format.js';
import { parseCallCallback, parseMessageCallback } from './twilio-lifecycle.js';
import { parsePaging, v2010Page } from './twilio-paging.js';
import type { TwilioStore } from './twilio-store.js';
import { accountPath, callView, messageView } from './twilio-views-v2010.js';

type P = { Params: { AccountSid: string; Sid: string } };
const BASE = '/2010-04-01/Accounts/:AccountSid';
const bad = (code: number, message: string) => new TwilioHttpError(400, code, message);

export function registerMessagingRoutes(app: FastifyInstance, store: TwilioStore): void {
  const { state, config } = store;
  const ownNumber = (ac: string, e164: string) =>
    [...state.numbers.values()].find((n) => n.accountSid === ac && n.phoneNumber === e164);

  app.post<P>(`${BASE}/Messages.json`, (request, reply) => {
    const ac = request.params.AccountSid;
    const form = formOf(request);
    const to = optional(form, 'To');
    if (to === undefined || to === '') throw bad(21604, "A 'To' phone number is required.");
    if (!E164.test(to)) throw bad(21211, `The 'To' number ${to} is not a valid phone number.`);
    const from = optional(form, 'From');
    const service = optional(form, 'MessagingServiceSid');
    if (from === undefined && service === undefined) {
      throw bad(21603, "A 'From' phone number is required.");
    }
    if (from !== undefined && config.requireOwnedFrom && ownNumber(ac, from) === undefined) {
      throw bad(
        21606,
        `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
      );
    }
    const body = optional(form, 'Body') ?? '';
    const media = form.getAll('MediaUrl');
    if (body === '' && media.length === 0 && optional(form, 'ContentSid') === undefined) {
      throw bad(21602, 'Message body is required.');
    }
    const statusCallback = parseMessageCallback(form);
    const now = new Date();
    const message = {
      sid: newSid(media.length > 0 ? 'MM' : 'SM'),
      accountSid: ac,
      to,
      from: from ?? null,
      messagingServiceSid: service ?? null,
      body,
      numMedia: media.length,
      status: 'queued' as const,
      errorCode: null,
      statusCallback,
      dateCreated: now,
      dateUpdated: now,
      dateSent: null,
    };
    state.messages.set(message.sid, message);
    return reply.code(201).send(messageView(message));
  });
  app.get<P>(`${BASE}/Messages.json`, (request) => {
    const ac = request.params.AccountSid;
    const items = [...state.messages.values()].filter((m) => m.accountSid === ac).map(messageView);
    return v2010Page(
      'messages',
      items,
      `${accountPath(ac)}/Messages.json`,
      parsePaging(queryOf(request)),
    );
  });
  app.get<P>(`${BASE}/Messages/:Sid.json`, (request) => {
    const message = state.messages.get(request.params.Sid);
    if (message?.accountSid !== request.params.AccountSid) throw notFound(canonicalPath(request));
    return messageView(message);
  });

  app.post<P>(`${BASE}/Calls.json`, (request, reply) => {
    const ac = request.params.AccountSid;
    const form = formOf(request);
    const to = optional(form, 'To');
    if (to === undefined || to === '') throw bad(21201, "No 'To' number is specified");
    if (!E164.test(to) && !/^(sip:|client:)/.test(to))
      throw bad(21211, `Invalid 'To' Phone Number: ${to}`);
    const from = optional(form, 'From');
    if (from === undefined || from === '') throw bad(21213, "No 'From' number is specified");
    if (!E164.test(from) && !/^client:/.test(from))
      throw bad(21212, `Invalid 'From' Phone Number: ${from}`);
    const owned = ownNumber(ac, from);
    if (config.requireOwnedFrom && E164.test(from) && owned === undefined) {
      throw bad(
        21210,
        `The source phone number provided, ${from}, is not yet verified for your account.`,
      );
    }
    const how = ['Url', 'Twiml', 'ApplicationSid'].filter((name) => optional(form, name));
    if (how.length === 0) throw bad(21205, 'Url, Twiml or ApplicationSid is required.');
    // "If an application_sid parameter is present, this parameter is ignored" (the spec).
    const callback = parseCallCallback(form);
    const statusCallback = optional(form, 'ApplicationSid') === undefined ? callback : null;
    // SipAuthPassword (for a sip: To) is used for the call and never stored nor echoed.
    const now = new Date();
    const call = {
      sid: newSid('CA'),
      accountSid: ac,
      to,
      from,
      phoneNumberSid: owned?.sid ?? null,
      trunkSid: owned?.trunkSid ?? null,
      status: 'queued' as const,
      statusCallback,
      dateCreated: now,
      dateUpdated: now,
      startTime: null,
      endTime: null,
    };
    state.calls.set(call.sid, call);
    return reply.code(201).send(callView(call));
  });
  app.get<P>(`${BASE}/Calls.json`, (request) => {
    const ac = request.params.AccountSid;
    // To and From filter exactly, as Twilio's list does (its StartTime filters are not emulated).
    const q = queryOf(request);
    const to = q.get('To');
    const from = q.get('From');
    const items = [...state.calls.values()]
      .filter((c) => c.accountSid === ac)
      .filter((c) => (to === null || c.to === to) && (from === null || c.from === from))
      .map(callView);
    return v2010Page(
      'calls',
      items,
      `${accountPath(ac)}/Calls.json`,
      parsePaging(queryOf(request)),
    );
  });
  app.get<P>(`${BASE}/Calls/:Sid.json`, (request) => {
    const call = state.calls.get(request.params.Sid);
    if (call?.accountSid !== request.params.AccountSid) throw notFound(canonicalPath(request));
    return callView(call);
  });
}
