// trunking v1 Trunks (globally unique DomainName, quarantined after delete → 21248) and their
// OriginationUrls. Scoped to the authenticated account.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { principalOf } from './twilio-auth.js';
import {
  TRUNKING_BASE,
  TwilioHttpError,
  bool,
  canonicalPath,
  formOf,
  int,
  invalidParam,
  maxLength,
  newSid,
  notFound,
  optional,
  queryOf,
  required,
} from './twilio-format.js';
import type { OriginationUrl, Trunk } from './twilio-model.js';
import { parsePaging, v1Page } from './twilio-paging.js';
import type { TwilioStore } from './twilio-store.js';
import { originationUrlView, trunkUrl, trunkView } from './twilio-views-v1.js';

type P = { Params: { Sid: string; TrunkSid: string } };

/** The trunk named by `sid`, if the authenticated account owns it; else 404. */
export function ownedTrunk(store: TwilioStore, request: FastifyRequest, sid: string): Trunk {
  const trunk = store.state.trunks.get(sid);
  if (trunk === undefined || trunk.accountSid !== principalOf(request).account.sid) {
    throw notFound(canonicalPath(request));
  }
  return trunk;
}

function oneOf(
  form: URLSearchParams,
  name: string,
  allowed: readonly string[],
): string | undefined {
  const value = optional(form, name);
  if (value !== undefined && !allowed.includes(value)) {
    throw invalidParam(`${name} must be one of ${allowed.join(', ')}.`);
  }
  return value;
}

export function registerTrunkRoutes(app: FastifyInstance, store: TwilioStore): void {
  const { state, config } = store;

  /** Applies create/update params to a trunk; the domain must be free (all accounts). */
  const applyParams = (trunk: Trunk, form: URLSearchParams): void => {
    const friendlyName = optional(form, 'FriendlyName');
    maxLength(friendlyName, 'FriendlyName', 64);
    const domain = optional(form, 'DomainName')?.toLowerCase();
    if (domain !== undefined && domain !== trunk.domainName) {
      if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(domain) || !domain.endsWith('.pstn.twilio.com')) {
        throw invalidParam(
          'DomainName may contain letters, digits and - and must end with pstn.twilio.com.',
        );
      }
      const taken = [...state.trunks.values()].some((t) => t.domainName === domain);
      if (taken || state.quarantinedDomains.has(domain)) {
        throw new TwilioHttpError(
          config.domainTaken.status,
          config.domainTaken.code,
          'Trunk Domain already taken',
        );
      }
    }
    const recoveryMethod = oneOf(form, 'DisasterRecoveryMethod', ['GET', 'POST']);
    const transferMode = oneOf(form, 'TransferMode', ['disable-all', 'enable-all', 'sip-only']);
    const callerId = oneOf(form, 'TransferCallerId', ['from-transferee', 'from-transferor']);
    const secure = bool(form, 'Secure');
    const cnam = bool(form, 'CnamLookupEnabled');
    if (friendlyName !== undefined) trunk.friendlyName = friendlyName;
    if (domain !== undefined) trunk.domainName = domain;
    const recoveryUrl = optional(form, 'DisasterRecoveryUrl');
    if (recoveryUrl !== undefined)
      trunk.disasterRecoveryUrl = recoveryUrl === '' ? null : recoveryUrl;
    if (recoveryMethod !== undefined) trunk.disasterRecoveryMethod = recoveryMethod;
    if (transferMode !== undefined) trunk.transferMode = transferMode;
    if (callerId !== undefined) trunk.transferCallerId = callerId;
    if (secure !== undefined) trunk.secure = secure;
    if (cnam !== undefined) trunk.cnamLookupEnabled = cnam;
  };

  app.post('/v1/Trunks', (request, reply) => {
    const now = new Date();
    const trunk: Trunk = {
      sid: newSid('TK'),
      accountSid: principalOf(request).account.sid,
      friendlyName: null,
      domainName: null,
      disasterRecoveryUrl: null,
      disasterRecoveryMethod: 'POST',
      transferMode: 'disable-all',
      transferCallerId: 'from-transferee',
      secure: false,
      cnamLookupEnabled: false,
      symmetricRtpEnabled: false,
      dateCreated: now,
      dateUpdated: now,
      credentialLists: new Map(),
      ipAccessControlLists: new Map(),
      originationUrls: new Map(),
    };
    applyParams(trunk, formOf(request));
    state.trunks.set(trunk.sid, trunk);
    return reply.code(201).send(trunkView(trunk));
  });
  app.get('/v1/Trunks', (request) => {
    const ac = principalOf(request).account.sid;
    const trunks = [...state.trunks.values()].filter((t) => t.accountSid === ac).map(trunkView);
    return v1Page('trunks', trunks, `${TRUNKING_BASE}/v1/Trunks`, parsePaging(queryOf(request)));
  });
  app.get<P>('/v1/Trunks/:Sid', (request) =>
    trunkView(ownedTrunk(store, request, request.params.Sid)),
  );
  app.post<P>('/v1/Trunks/:Sid', (request) => {
    const trunk = ownedTrunk(store, request, request.params.Sid);
    applyParams(trunk, formOf(request));
    trunk.dateUpdated = new Date();
    return trunkView(trunk);
  });
  app.delete<P>('/v1/Trunks/:Sid', (request, reply) => {
    const trunk = ownedTrunk(store, request, request.params.Sid);
    state.trunks.delete(trunk.sid);
    if (trunk.domainName !== null && config.quarantineDeletedDomains) {
      state.quarantinedDomains.add(trunk.domainName);
    }
    for (const number of state.numbers.values()) {
      if (number.trunkSid === trunk.sid) number.trunkSid = null;
    }
    return reply.code(204).send();
  });

  registerOriginationRoutes(app, store);
}

function registerOriginationRoutes(app: FastifyInstance, store: TwilioStore): void {
  const BASE = '/v1/Trunks/:TrunkSid/OriginationUrls';
  const apply = (o: OriginationUrl, form: URLSearchParams, creating: boolean): void => {
    if (creating) {
      for (const name of ['Weight', 'Priority', 'Enabled', 'FriendlyName', 'SipUrl']) {
        required(form, name);
      }
    }
    const weight = int(form, 'Weight', 0, 65535);
    const priority = int(form, 'Priority', 0, 65535);
    const enabled = bool(form, 'Enabled');
    const friendlyName = optional(form, 'FriendlyName');
    maxLength(friendlyName, 'FriendlyName', 64);
    const sipUrl = optional(form, 'SipUrl');
    if (sipUrl !== undefined && !/^sips?:/.test(sipUrl))
      throw invalidParam('SipUrl must be a sip: URI.');
    if (weight !== undefined) o.weight = weight;
    if (priority !== undefined) o.priority = priority;
    if (enabled !== undefined) o.enabled = enabled;
    if (friendlyName !== undefined) o.friendlyName = friendlyName;
    if (sipUrl !== undefined) o.sipUrl = sipUrl;
  };
  const originationOf = (request: FastifyRequest<P>) => {
    const trunk = ownedTrunk(store, request, request.params.TrunkSid);
    const o = trunk.originationUrls.get(request.params.Sid);
    if (o === undefined) throw notFound(canonicalPath(request));
    return { trunk, o };
  };

  app.post<P>(BASE, (request, reply) => {
    const trunk = ownedTrunk(store, request, request.params.TrunkSid);
    const now = new Date();
    const o: OriginationUrl = {
      sid: newSid('OU'),
      accountSid: trunk.accountSid,
      trunkSid: trunk.sid,
      weight: 1,
      priority: 1,
      enabled: true,
      sipUrl: '',
      friendlyName: '',
      dateCreated: now,
      dateUpdated: now,
    };
    apply(o, formOf(request), true);
    trunk.originationUrls.set(o.sid, o);
    return reply.code(201).send(originationUrlView(o));
  });
  app.get<P>(BASE, (request) => {
    const trunk = ownedTrunk(store, request, request.params.TrunkSid);
    const items = [...trunk.originationUrls.values()].map(originationUrlView);
    return v1Page(
      'origination_urls',
      items,
      `${trunkUrl(trunk.sid)}/OriginationUrls`,
      parsePaging(queryOf(request)),
    );
  });
  app.get<P>(`${BASE}/:Sid`, (request) => originationUrlView(originationOf(request).o));
  app.post<P>(`${BASE}/:Sid`, (request) => {
    const { o } = originationOf(request);
    apply(o, formOf(request), false);
    o.dateUpdated = new Date();
    return originationUrlView(o);
  });
  app.delete<P>(`${BASE}/:Sid`, (request, reply) => {
    const { trunk, o } = originationOf(request);
    trunk.originationUrls.delete(o.sid);
    return reply.code(204).send();
  });
}
