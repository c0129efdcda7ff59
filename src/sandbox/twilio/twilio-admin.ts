// The Twilio store's admin side: state dump (hash prefixes only), accounts, keys, configuration.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { definedOnly, parseAdminInput } from '../core/admin-input.js';
import type { SandboxProviderStore } from '../core/provider-store.js';
import { twilioSid } from '../seed.js';
import { hashView } from '../core/secret-hash.js';
import type { TwilioStore } from './twilio-store.js';

const accountInput = z.object({
  sid: twilioSid('AC').optional(),
  authToken: z.string().min(1).optional(),
  friendlyName: z.string().max(64).optional(),
  parentSid: twilioSid('AC').optional(),
});
const keyInput = z.object({
  accountSid: twilioSid('AC'),
  sid: twilioSid('SK').optional(),
  secret: z.string().min(1).optional(),
});
const errorSpec = z.object({
  status: z.number().int().min(400).max(599),
  code: z.number().int(),
});
const configInput = z
  .object({
    domainTaken: errorSpec,
    weakPassword: errorSpec,
    duplicateUsername: errorSpec,
    duplicateCredentialListAssociation: errorSpec,
    duplicateIpAccessControlListAssociation: errorSpec,
    duplicatePhoneNumberAssociation: errorSpec,
    phoneNumberOnAnotherTrunk: errorSpec,
    credentialListCap: errorSpec,
    credentialCap: errorSpec,
    subaccountCreate: errorSpec,
    quarantineDeletedDomains: z.boolean(),
    requireOwnedFrom: z.boolean(),
  })
  .partial()
  .strict();

const token = () => randomBytes(16).toString('hex');

type AdminPart = Required<
  Pick<SandboxProviderStore, 'dump' | 'createAccount' | 'createKey' | 'configure'>
>;

export function twilioAdmin(getStore: () => TwilioStore): AdminPart {
  return {
    createAccount(input) {
      const body = parseAdminInput(accountInput, input);
      const authToken = body.authToken ?? token();
      const account = getStore().addAccount({ ...definedOnly(body), authToken });
      return {
        sid: account.sid,
        authToken,
        friendlyName: account.friendlyName,
        parentSid: account.parentSid ?? null,
      };
    },
    createKey(input) {
      const body = parseAdminInput(keyInput, input);
      const secret = body.secret ?? randomBytes(24).toString('base64url');
      const key = getStore().addApiKey({ ...definedOnly(body), secret });
      return { sid: key.sid, accountSid: key.accountSid, secret };
    },
    configure(input) {
      const body = parseAdminInput(configInput, input);
      const config = getStore().config;
      for (const [name, value] of Object.entries(body)) {
        if (value !== undefined) (config as unknown as Record<string, unknown>)[name] = value;
      }
      return { ...config };
    },
    dump() {
      const { state, config } = getStore();
      return {
        config: { ...config },
        accounts: [...state.accounts.values()].map((a) => ({
          sid: a.sid,
          friendlyName: a.friendlyName,
          parentSid: a.parentSid ?? null,
          authToken: hashView(a.authToken),
        })),
        apiKeys: [...state.apiKeys.values()].map((k) => ({
          sid: k.sid,
          accountSid: k.accountSid,
          secret: hashView(k.secret),
        })),
        credentialLists: [...state.credentialLists.values()].map((l) => ({
          sid: l.sid,
          accountSid: l.accountSid,
          friendlyName: l.friendlyName,
          credentials: [...l.credentials.values()].map((c) => ({
            sid: c.sid,
            username: c.username,
            password: hashView(c.password),
          })),
        })),
        trunks: [...state.trunks.values()].map((t) => ({
          sid: t.sid,
          accountSid: t.accountSid,
          domainName: t.domainName,
          credentialLists: [...t.credentialLists.keys()],
          ipAccessControlLists: [...t.ipAccessControlLists.keys()],
          originationUrls: [...t.originationUrls.values()].map((o) => o.sipUrl),
        })),
        numbers: [...state.numbers.values()].map((n) => ({
          sid: n.sid,
          accountSid: n.accountSid,
          phoneNumber: n.phoneNumber,
          trunkSid: n.trunkSid,
        })),
        // Numbers as they are (a test double); no message body, no token.
        messages: [...state.messages.values()].map((m) => ({
          sid: m.sid,
          accountSid: m.accountSid,
          from: m.from,
          to: m.to,
          status: m.status,
          statusCallback: m.statusCallback?.url ?? null,
        })),
        calls: [...state.calls.values()].map((c) => ({
          sid: c.sid,
          accountSid: c.accountSid,
          from: c.from,
          to: c.to,
          status: c.status,
          statusCallback: c.statusCallback?.url ?? null,
          statusCallbackMethod: c.statusCallback?.method ?? null,
          statusCallbackEvents: c.statusCallback?.events ?? [],
        })),
        quarantinedDomains: [...state.quarantinedDomains],
      };
    },
  };
}
