// trunking v1 associations of a trunk: CredentialLists (list key `credential_lists`),
// IpAccessControlLists and PhoneNumbers (`phone_numbers`). Duplicates answer a configurable 400
// (the real codes are unknown: providers.md §1.5, §10); auth_type follows the associations.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  TwilioHttpError,
  canonicalPath,
  formOf,
  invalidParam,
  isSid,
  notFound,
  queryOf,
  required,
} from './twilio-format.js';
import type { Trunk, TwilioErrorSpec } from './twilio-model.js';
import { parsePaging, v1Page } from './twilio-paging.js';
import type { TwilioStore } from './twilio-store.js';
import { ownedTrunk } from './trunking-trunk-routes.js';
import { associationView, trunkPhoneNumberView, trunkUrl } from './twilio-views-v1.js';

type P = { Params: { TrunkSid: string; Sid: string } };

interface ListKind {
  path: 'CredentialLists' | 'IpAccessControlLists';
  key: string;
  param: string;
  prefix: string;
  associations: (t: Trunk) => Map<string, Date>;
  lookup: (
    store: TwilioStore,
    sid: string,
  ) => { sid: string; accountSid: string; friendlyName: string } | undefined;
  duplicate: (store: TwilioStore) => TwilioErrorSpec;
}

const KINDS: ListKind[] = [
  {
    path: 'CredentialLists',
    key: 'credential_lists',
    param: 'CredentialListSid',
    prefix: 'CL',
    associations: (t) => t.credentialLists,
    lookup: (store, sid) => store.state.credentialLists.get(sid),
    duplicate: (store) => store.config.duplicateCredentialListAssociation,
  },
  {
    path: 'IpAccessControlLists',
    key: 'ip_access_control_lists',
    param: 'IpAccessControlListSid',
    prefix: 'AL',
    associations: (t) => t.ipAccessControlLists,
    lookup: (store, sid) => store.state.ipAccessControlLists.get(sid),
    duplicate: (store) => store.config.duplicateIpAccessControlListAssociation,
  },
];

function registerListAssociation(app: FastifyInstance, store: TwilioStore, kind: ListKind): void {
  const base = `/v1/Trunks/:TrunkSid/${kind.path}`;
  const viewOf = (trunk: Trunk, sid: string, when: Date) => {
    const list = kind.lookup(store, sid);
    return associationView(kind.path, trunk, { sid, friendlyName: list?.friendlyName ?? '' }, when);
  };

  app.post<P>(base, (request, reply) => {
    const trunk = ownedTrunk(store, request, request.params.TrunkSid);
    const sid = required(formOf(request), kind.param);
    if (!isSid(sid, kind.prefix))
      throw invalidParam(`${kind.param} must be ${kind.prefix} + 32 hex digits.`);
    const list = kind.lookup(store, sid);
    if (list === undefined || list.accountSid !== trunk.accountSid) {
      throw invalidParam(`${kind.param} ${sid} is not a list of this account.`);
    }
    const associations = kind.associations(trunk);
    if (associations.has(sid)) {
      const spec = kind.duplicate(store);
      throw new TwilioHttpError(
        spec.status,
        spec.code,
        `${sid} is already associated with trunk ${trunk.sid}.`,
      );
    }
    const now = new Date();
    associations.set(sid, now);
    trunk.dateUpdated = now;
    return reply.code(201).send(viewOf(trunk, sid, now));
  });
  app.get<P>(base, (request) => {
    const trunk = ownedTrunk(store, request, request.params.TrunkSid);
    const items = [...kind.associations(trunk)].map(([sid, when]) => viewOf(trunk, sid, when));
    return v1Page(
      kind.key,
      items,
      `${trunkUrl(trunk.sid)}/${kind.path}`,
      parsePaging(queryOf(request)),
    );
  });
  const associated = (request: FastifyRequest<P>) => {
    const trunk = ownedTrunk(store, request, request.params.TrunkSid);
    const when = kind.associations(trunk).get(request.params.Sid);
    if (when === undefined) throw notFound(canonicalPath(request));
    return { trunk, when };
  };
  app.get<P>(`${base}/:Sid`, (request) => {
    const { trunk, when } = associated(request);
    return viewOf(trunk, request.params.Sid, when);
  });
  app.delete<P>(`${base}/:Sid`, (request, reply) => {
    const { trunk } = associated(request);
    kind.associations(trunk).delete(request.params.Sid);
    trunk.dateUpdated = new Date();
    return reply.code(204).send();
  });
}

function registerPhoneNumberAssociation(app: FastifyInstance, store: TwilioStore): void {
  const { state, config } = store;
  const base = '/v1/Trunks/:TrunkSid/PhoneNumbers';
  const err = (spec: TwilioErrorSpec, message: string) =>
    new TwilioHttpError(spec.status, spec.code, message);

  app.post<P>(base, (request, reply) => {
    const trunk = ownedTrunk(store, request, request.params.TrunkSid);
    const sid = required(formOf(request), 'PhoneNumberSid');
    const number = state.numbers.get(sid);
    if (number === undefined || number.accountSid !== trunk.accountSid) {
      throw invalidParam(`PhoneNumberSid ${sid} is not a number of this account.`);
    }
    if (number.trunkSid === trunk.sid) {
      throw err(
        config.duplicatePhoneNumberAssociation,
        `${sid} is already associated with trunk ${trunk.sid}.`,
      );
    }
    if (number.trunkSid !== null) {
      throw err(config.phoneNumberOnAnotherTrunk, `${sid} is associated with another trunk.`);
    }
    number.trunkSid = trunk.sid;
    number.dateUpdated = new Date();
    return reply.code(201).send(trunkPhoneNumberView(number));
  });
  app.get<P>(base, (request) => {
    const trunk = ownedTrunk(store, request, request.params.TrunkSid);
    const items = [...state.numbers.values()]
      .filter((n) => n.trunkSid === trunk.sid)
      .map(trunkPhoneNumberView);
    return v1Page(
      'phone_numbers',
      items,
      `${trunkUrl(trunk.sid)}/PhoneNumbers`,
      parsePaging(queryOf(request)),
    );
  });
  const onTrunk = (request: FastifyRequest<P>) => {
    const trunk = ownedTrunk(store, request, request.params.TrunkSid);
    const number = state.numbers.get(request.params.Sid);
    if (number === undefined || number.trunkSid !== trunk.sid)
      throw notFound(canonicalPath(request));
    return number;
  };
  app.get<P>(`${base}/:Sid`, (request) => trunkPhoneNumberView(onTrunk(request)));
  app.delete<P>(`${base}/:Sid`, (request, reply) => {
    const number = onTrunk(request);
    number.trunkSid = null;
    number.dateUpdated = new Date();
    return reply.code(204).send();
  });
}

export function registerAssociationRoutes(app: FastifyInstance, store: TwilioStore): void {
  for (const kind of KINDS) registerListAssociation(app, store, kind);
  registerPhoneNumberAssociation(app, store);
}
