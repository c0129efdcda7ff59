// The Twilio store's admin side: state dump (hash prefixes only), accounts, keys, configuration.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { SandboxAdminError, type SandboxProviderStore } from '../core/provider-store.js';
import { hashView } from './twilio-password.js';
import type { TwilioStore } from './twilio-store.js';

const sid = (prefix: string) => z.string().regex(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`));

const accountInput = z.object({
  sid: sid('AC').optional(),
  authToken: z.string().min(1).optional(),
  friendlyName: z.string().max(64).optional(),
  parentSid: sid('AC').optional(),
});
const keyInput = z.object({
  accountSid: sid('AC'),
  sid: sid('SK').optional(),
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
    quarantineDeletedDomains: z.boolean(),
    requireOwnedFrom: z.boolean(),
  })
  .partial()
  .strict();

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new SandboxAdminError(
    400,
    `"${issue?.path.join('.') || 'body'}" ${issue?.message ?? 'is invalid'}`,
  );
}

const token = () => randomBytes(16).toString('hex');

type AdminPart = Required<
  Pick<SandboxProviderStore, 'dump' | 'createAccount' | 'createKey' | 'configure'>
>;

export function twilioAdmin(getStore: () => TwilioStore): AdminPart {
  return {
    createAccount(input) {
      const body = parse(accountInput, input);
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
      const body = parse(keyInput, input);
      const secret = body.secret ?? randomBytes(24).toString('base64url');
      const key = getStore().addApiKey({ ...definedOnly(body), secret });
      return { sid: key.sid, accountSid: key.accountSid, secret };
    },
    configure(input) {
      const body = parse(configInput, input);
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
        messages: state.messages.size,
        calls: state.calls.size,
        quarantinedDomains: [...state.quarantinedDomains],
      };
    },
  };
}

/** Drops keys whose value is undefined (zod's optional output vs exactOptionalPropertyTypes). */
function definedOnly<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
