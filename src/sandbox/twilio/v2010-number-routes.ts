// v2010 numbers: AvailablePhoneNumbers (no paging meta, only `uri`) and IncomingPhoneNumbers
// (purchase by PhoneNumber or AreaCode, optional TrunkSid; list filters; update; delete).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  E164,
  TwilioHttpError,
  canonicalPath,
  formOf,
  invalidParam,
  maxLength,
  newSid,
  notFound,
  optional,
  queryOf,
} from './twilio-format.js';
import {
  availableNumbers,
  countryPlan,
  formatFriendly,
  type NumberType,
} from './twilio-catalogue.js';
import type { IncomingNumber } from './twilio-model.js';
import { parsePaging, v2010Page, type PageFilters } from './twilio-paging.js';
import type { TwilioStore } from './twilio-store.js';
import { accountPath, capabilities, incomingNumberView } from './twilio-views-v2010.js';

type P = { Params: { AccountSid: string; Sid: string; CountryCode: string } };
const BASE = '/2010-04-01/Accounts/:AccountSid';

export function registerNumberRoutes(app: FastifyInstance, store: TwilioStore): void {
  const { state } = store;

  for (const type of ['Local', 'TollFree', 'Mobile'] as const satisfies readonly NumberType[]) {
    app.get<P>(`${BASE}/AvailablePhoneNumbers/:CountryCode/${type}.json`, (request) => {
      const { AccountSid: ac, CountryCode: cc } = request.params;
      if (countryPlan(cc) === undefined) throw notFound(canonicalPath(request));
      const query = queryOf(request);
      const limit = parsePaging(query).pageSize;
      const found = availableNumbers(
        state,
        cc,
        type,
        {
          areaCode: query.get('AreaCode') ?? undefined,
          contains: query.get('Contains') ?? undefined,
        },
        limit,
      );
      return {
        available_phone_numbers: found.map((n) => ({
          friendly_name: formatFriendly(n.phoneNumber),
          phone_number: n.phoneNumber,
          lata: null,
          locality: n.locality,
          rate_center: null,
          latitude: null,
          longitude: null,
          region: n.region,
          postal_code: null,
          iso_country: n.country,
          address_requirements: 'none',
          beta: false,
          capabilities,
        })),
        uri: `${accountPath(ac)}/AvailablePhoneNumbers/${cc}/${type}.json`,
      };
    });
  }

  const trunkFor = (ac: string, trunkSid: string | undefined): string | null | undefined => {
    if (trunkSid === undefined) return undefined;
    if (trunkSid === '') return null; // an empty TrunkSid detaches the number
    const trunk = state.trunks.get(trunkSid);
    if (trunk === undefined || trunk.accountSid !== ac) {
      throw invalidParam(`TrunkSid ${trunkSid} is not a trunk of this account.`);
    }
    return trunk.sid;
  };

  app.post<P>(`${BASE}/IncomingPhoneNumbers.json`, (request, reply) => {
    const ac = request.params.AccountSid;
    const form = formOf(request);
    const phoneNumber = choosePurchase(
      store,
      optional(form, 'PhoneNumber'),
      optional(form, 'AreaCode'),
    );
    const friendlyName = optional(form, 'FriendlyName') ?? formatFriendly(phoneNumber);
    maxLength(friendlyName, 'FriendlyName', 64);
    const trunkSid = trunkFor(ac, optional(form, 'TrunkSid')) ?? null;
    const now = new Date();
    const number: IncomingNumber = {
      sid: newSid('PN'),
      accountSid: ac,
      phoneNumber,
      friendlyName,
      trunkSid,
      voiceUrl: trunkSid === null ? (optional(form, 'VoiceUrl') ?? null) : null,
      voiceMethod: optional(form, 'VoiceMethod') ?? 'POST',
      smsUrl: optional(form, 'SmsUrl') ?? null,
      smsMethod: optional(form, 'SmsMethod') ?? 'POST',
      statusCallback: optional(form, 'StatusCallback') ?? null,
      dateCreated: now,
      dateUpdated: now,
    };
    state.numbers.set(number.sid, number);
    return reply.code(201).send(incomingNumberView(number));
  });

  app.get<P>(`${BASE}/IncomingPhoneNumbers.json`, (request) => {
    const ac = request.params.AccountSid;
    const query = queryOf(request);
    const filters: PageFilters = [];
    let numbers = [...state.numbers.values()].filter((n) => n.accountSid === ac);
    const byNumber = query.get('PhoneNumber');
    if (byNumber !== null) {
      filters.push(['PhoneNumber', byNumber]);
      const digits = byNumber.replace(/[^0-9]/g, '');
      numbers = numbers.filter((n) =>
        byNumber.startsWith('+') ? n.phoneNumber === byNumber : n.phoneNumber.includes(digits),
      );
    }
    const byName = query.get('FriendlyName');
    if (byName !== null) {
      filters.push(['FriendlyName', byName]);
      numbers = numbers.filter((n) => n.friendlyName === byName);
    }
    const path = `${accountPath(ac)}/IncomingPhoneNumbers.json`;
    return v2010Page(
      'incoming_phone_numbers',
      numbers.map(incomingNumberView),
      path,
      parsePaging(query),
      filters,
    );
  });

  const numberOf = (request: FastifyRequest<P>): IncomingNumber => {
    const number = state.numbers.get(request.params.Sid);
    if (number === undefined || number.accountSid !== request.params.AccountSid) {
      throw notFound(canonicalPath(request));
    }
    return number;
  };
  app.get<P>(`${BASE}/IncomingPhoneNumbers/:Sid.json`, (request) =>
    incomingNumberView(numberOf(request)),
  );
  app.post<P>(`${BASE}/IncomingPhoneNumbers/:Sid.json`, (request) => {
    const number = numberOf(request);
    const form = formOf(request);
    const trunkSid = trunkFor(number.accountSid, optional(form, 'TrunkSid'));
    const friendlyName = optional(form, 'FriendlyName');
    maxLength(friendlyName, 'FriendlyName', 64);
    if (friendlyName !== undefined) number.friendlyName = friendlyName;
    if (trunkSid !== undefined) number.trunkSid = trunkSid;
    const voiceUrl = optional(form, 'VoiceUrl');
    if (voiceUrl !== undefined) number.voiceUrl = voiceUrl === '' ? null : voiceUrl;
    const smsUrl = optional(form, 'SmsUrl');
    if (smsUrl !== undefined) number.smsUrl = smsUrl === '' ? null : smsUrl;
    number.dateUpdated = new Date();
    return incomingNumberView(number);
  });
  app.delete<P>(`${BASE}/IncomingPhoneNumbers/:Sid.json`, (request, reply) => {
    state.numbers.delete(numberOf(request).sid);
    return reply.code(204).send();
  });
}

/** The concrete number a purchase gets, or Twilio's purchase errors (providers.md §1.7). */
function choosePurchase(
  store: TwilioStore,
  phoneNumber: string | undefined,
  areaCode: string | undefined,
): string {
  const owned = (e164: string) =>
    [...store.state.numbers.values()].some((n) => n.phoneNumber === e164);
  if (phoneNumber !== undefined) {
    if (!E164.test(phoneNumber) || phoneNumber === '+15005550001') {
      throw new TwilioHttpError(400, 21421, 'PhoneNumber is invalid');
    }
    if (phoneNumber === '+15005550000' || owned(phoneNumber)) {
      throw new TwilioHttpError(400, 21422, 'PhoneNumber requested is not available');
    }
    return phoneNumber;
  }
  if (areaCode !== undefined) {
    const [first] = availableNumbers(store.state, 'US', 'Local', { areaCode }, 1);
    if (first === undefined)
      throw new TwilioHttpError(400, 21452, 'No phone numbers found in area code');
    return first.phoneNumber;
  }
  throw invalidParam('PhoneNumber or AreaCode is required.');
}
