// v2010 Accounts: fetch, list (FriendlyName and Status filters) and subaccount creation. A main
// account (its token or one of its API keys) makes subaccounts of itself; each gets its own token,
// which Twilio shows in the account's answers, and then works like any account (providers.md §1.1).
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { principalOf } from './twilio-auth.js';
import {
  TwilioHttpError,
  canonicalPath,
  formOf,
  invalidParam,
  maxLength,
  notFound,
  optional,
  queryOf,
} from './twilio-format.js';
import { parsePaging, v2010Page, type PageFilters } from './twilio-paging.js';
import type { TwilioStore } from './twilio-store.js';
import { accountView } from './twilio-views-v2010.js';

type P = { Params: { AccountSid: string } };
const STATUSES = ['active', 'suspended', 'closed'];

/** The spec's default: `SubAccount Created at {YYYY-MM-DD HH:MM meridian}` (UTC here). */
export function defaultSubaccountName(at: Date): string {
  const [date = '', time = ''] = at.toISOString().split('T');
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  const hh = String(hours % 12 === 0 ? 12 : hours % 12).padStart(2, '0');
  const mm = String(minutes).padStart(2, '0');
  return `SubAccount Created at ${date} ${hh}:${mm} ${hours < 12 ? 'am' : 'pm'}`;
}

export function registerAccountRoutes(app: FastifyInstance, store: TwilioStore): void {
  app.get<P>('/2010-04-01/Accounts/:AccountSid.json', (request: FastifyRequest<P>) => {
    const account = store.state.accounts.get(request.params.AccountSid);
    if (account === undefined) throw notFound(canonicalPath(request));
    return accountView(account);
  });

  app.post('/2010-04-01/Accounts.json', (request, reply) => {
    const parent = principalOf(request).account;
    if (parent.parentSid !== undefined) {
      const { status, code } = store.config.subaccountCreate;
      throw new TwilioHttpError(status, code, 'A subaccount cannot create subaccounts.');
    }
    const given = optional(formOf(request), 'FriendlyName');
    const friendlyName =
      given === undefined || given === '' ? defaultSubaccountName(new Date()) : given;
    maxLength(friendlyName, 'FriendlyName', 64);
    // A Twilio auth token is 32 hex digits.
    const authToken = randomBytes(16).toString('hex');
    const account = store.addAccount({
      authToken,
      friendlyName,
      parentSid: parent.sid,
      showToken: true,
    });
    return reply.code(201).send(accountView(account));
  });

  app.get('/2010-04-01/Accounts.json', (request) => {
    const principal = principalOf(request);
    const query = queryOf(request);
    const filters: PageFilters = [];
    let visible = [...store.state.accounts.values()].filter((a) =>
      store.canAccess(principal, a.sid),
    );
    const byName = query.get('FriendlyName');
    if (byName !== null) {
      filters.push(['FriendlyName', byName]);
      visible = visible.filter((a) => a.friendlyName === byName);
    }
    const byStatus = query.get('Status');
    if (byStatus !== null) {
      if (!STATUSES.includes(byStatus)) {
        throw invalidParam(`Status must be one of ${STATUSES.join(', ')}.`);
      }
      filters.push(['Status', byStatus]);
      // Every sandbox account is active (accounts are never suspended or closed here).
      if (byStatus !== 'active') visible = [];
    }
    return v2010Page(
      'accounts',
      visible.map(accountView),
      '/2010-04-01/Accounts.json',
      parsePaging(query),
      filters,
    );
  });
}
