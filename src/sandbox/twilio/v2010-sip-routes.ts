// v2010 SIP: CredentialLists (cap 100 per account) and their Credentials (username ≤ 32, unique
// per list; password rules; kept only as a hash; cap 1000 per list), and IpAccessControlLists.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TwilioStore } from './twilio-store.js';
import {
  TwilioHttpError,
  canonicalPath,
  formOf,
  maxLength,
  newSid,
  notFound,
  optional,
  queryOf,
  required,
} from './twilio-format.js';
import type { SipCredentialList } from './twilio-model.js';
import { parsePaging, v2010Page } from './twilio-paging.js';
import { hashSecret } from '../core/secret-hash.js';
import {
  accountPath,
  credentialListView,
  credentialView,
  ipAccessControlListView,
} from './twilio-views-v2010.js';

type P = { Params: { AccountSid: string; Sid: string; CredentialListSid: string } };
const BASE = '/2010-04-01/Accounts/:AccountSid/SIP';

/** "minimum of 12 characters, contain at least 1 digit, and have mixed case" (spec text). */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 12) return 'Password must be at least 12 characters long.';
  if (!/\d/.test(password)) return 'Password must contain at least one digit.';
  if (!/[a-z]/.test(password) || !/[A-Z]/.test(password)) {
    return 'Password must contain both upper and lower case letters.';
  }
  return undefined;
}

export function registerSipRoutes(app: FastifyInstance, store: TwilioStore): void {
  const { state, config } = store;
  const err = (spec: { status: number; code: number }, message: string) =>
    new TwilioHttpError(spec.status, spec.code, message);

  const listOf = (request: FastifyRequest<P>, sid: string): SipCredentialList => {
    const list = state.credentialLists.get(sid);
    if (list === undefined || list.accountSid !== request.params.AccountSid) {
      throw notFound(canonicalPath(request));
    }
    return list;
  };

  app.post<P>(`${BASE}/CredentialLists.json`, (request, reply) => {
    const ac = request.params.AccountSid;
    const name = required(formOf(request), 'FriendlyName');
    maxLength(name, 'FriendlyName', 64);
    const owned = [...state.credentialLists.values()].filter((l) => l.accountSid === ac).length;
    if (owned >= 100) throw err(config.credentialListCap, 'CredentialList limit (100) reached.');
    const now = new Date();
    const list = {
      sid: newSid('CL'),
      accountSid: ac,
      friendlyName: name,
      dateCreated: now,
      dateUpdated: now,
      credentials: new Map(),
    };
    state.credentialLists.set(list.sid, list);
    return reply.code(201).send(credentialListView(list));
  });
  app.get<P>(`${BASE}/CredentialLists.json`, (request) => {
    const ac = request.params.AccountSid;
    const lists = [...state.credentialLists.values()].filter((l) => l.accountSid === ac);
    const path = `${accountPath(ac)}/SIP/CredentialLists.json`;
    return v2010Page(
      'credential_lists',
      lists.map(credentialListView),
      path,
      parsePaging(queryOf(request)),
    );
  });
  app.get<P>(`${BASE}/CredentialLists/:Sid.json`, (request) =>
    credentialListView(listOf(request, request.params.Sid)),
  );
  app.post<P>(`${BASE}/CredentialLists/:Sid.json`, (request) => {
    const list = listOf(request, request.params.Sid);
    const name = required(formOf(request), 'FriendlyName');
    maxLength(name, 'FriendlyName', 64);
    list.friendlyName = name;
    list.dateUpdated = new Date();
    return credentialListView(list);
  });
  app.delete<P>(`${BASE}/CredentialLists/:Sid.json`, (request, reply) => {
    const list = listOf(request, request.params.Sid);
    state.credentialLists.delete(list.sid);
    for (const trunk of state.trunks.values()) trunk.credentialLists.delete(list.sid);
    return reply.code(204).send();
  });

  const CREDS = `${BASE}/CredentialLists/:CredentialListSid/Credentials`;
  app.post<P>(`${CREDS}.json`, (request, reply) => {
    const list = listOf(request, request.params.CredentialListSid);
    const form = formOf(request);
    const username = required(form, 'Username');
    maxLength(username, 'Username', 32);
    const password = required(form, 'Password');
    const weak = passwordProblem(password);
    if (weak !== undefined) throw err(config.weakPassword, weak);
    if ([...list.credentials.values()].some((c) => c.username === username)) {
      throw err(
        config.duplicateUsername,
        `Username ${username} already exists in this CredentialList.`,
      );
    }
    if (list.credentials.size >= 1000)
      throw err(config.credentialCap, 'Credential limit (1000) reached.');
    const now = new Date();
    const credential = {
      sid: newSid('CR'),
      accountSid: list.accountSid,
      credentialListSid: list.sid,
      username,
      password: hashSecret(password),
      dateCreated: now,
      dateUpdated: now,
    };
    list.credentials.set(credential.sid, credential);
    return reply.code(201).send(credentialView(credential));
  });
  app.get<P>(`${CREDS}.json`, (request) => {
    const list = listOf(request, request.params.CredentialListSid);
    const path = `${accountPath(list.accountSid)}/SIP/CredentialLists/${list.sid}/Credentials.json`;
    const items = [...list.credentials.values()].map(credentialView);
    return v2010Page('credentials', items, path, parsePaging(queryOf(request)));
  });
  const credentialOf = (request: FastifyRequest<P>) => {
    const list = listOf(request, request.params.CredentialListSid);
    const credential = list.credentials.get(request.params.Sid);
    if (credential === undefined) throw notFound(canonicalPath(request));
    return { list, credential };
  };
  app.get<P>(`${CREDS}/:Sid.json`, (request) => credentialView(credentialOf(request).credential));
  app.post<P>(`${CREDS}/:Sid.json`, (request) => {
    const { credential } = credentialOf(request);
    const password = optional(formOf(request), 'Password');
    if (password !== undefined) {
      const weak = passwordProblem(password);
      if (weak !== undefined) throw err(config.weakPassword, weak);
      credential.password = hashSecret(password); // rotation: the old password stops working
      credential.dateUpdated = new Date();
    }
    return credentialView(credential);
  });
  app.delete<P>(`${CREDS}/:Sid.json`, (request, reply) => {
    const { list, credential } = credentialOf(request);
    list.credentials.delete(credential.sid);
    return reply.code(204).send();
  });

  registerIpAclRoutes(app, store);
}

function registerIpAclRoutes(app: FastifyInstance, store: TwilioStore): void {
  const { state } = store;
  const aclOf = (request: FastifyRequest<P>) => {
    const acl = state.ipAccessControlLists.get(request.params.Sid);
    if (acl === undefined || acl.accountSid !== request.params.AccountSid) {
      throw notFound(canonicalPath(request));
    }
    return acl;
  };
  app.post<P>(`${BASE}/IpAccessControlLists.json`, (request, reply) => {
    const name = required(formOf(request), 'FriendlyName');
    maxLength(name, 'FriendlyName', 255);
    const now = new Date();
    const acl = {
      sid: newSid('AL'),
      accountSid: request.params.AccountSid,
      friendlyName: name,
      dateCreated: now,
      dateUpdated: now,
    };
    state.ipAccessControlLists.set(acl.sid, acl);
    return reply.code(201).send(ipAccessControlListView(acl));
  });
  app.get<P>(`${BASE}/IpAccessControlLists.json`, (request) => {
    const ac = request.params.AccountSid;
    const items = [...state.ipAccessControlLists.values()].filter((l) => l.accountSid === ac);
    const path = `${accountPath(ac)}/SIP/IpAccessControlLists.json`;
    return v2010Page(
      'ip_access_control_lists',
      items.map(ipAccessControlListView),
      path,
      parsePaging(queryOf(request)),
    );
  });
  app.get<P>(`${BASE}/IpAccessControlLists/:Sid.json`, (request) =>
    ipAccessControlListView(aclOf(request)),
  );
  app.post<P>(`${BASE}/IpAccessControlLists/:Sid.json`, (request) => {
    const acl = aclOf(request);
    const name = required(formOf(request), 'FriendlyName');
    maxLength(name, 'FriendlyName', 255);
    acl.friendlyName = name;
    acl.dateUpdated = new Date();
    return ipAccessControlListView(acl);
  });
  app.delete<P>(`${BASE}/IpAccessControlLists/:Sid.json`, (request, reply) => {
    const acl = aclOf(request);
    state.ipAccessControlLists.delete(acl.sid);
    for (const trunk of state.trunks.values()) trunk.ipAccessControlLists.delete(acl.sid);
    return reply.code(204).send();
  });
}
