// Twilio's state in the sandbox: accounts (with subaccounts) and API keys, and every resource the
// emulator serves, each owned by one account. Secrets are checked against salted hashes; auth
// tokens are also kept wrapped in Secret, to sign status callbacks (twilio-model.ts).
import { Secret } from '../../crypto/index.js';
import { SandboxAdminError, type SandboxProviderStore } from '../core/provider-store.js';
import type { TwilioSeed } from '../seed.js';
import { twilioAdmin } from './twilio-admin.js';
import { formatFriendly } from './twilio-catalogue.js';
import { newSid } from './twilio-format.js';
import {
  defaultTwilioConfig,
  type IncomingNumber,
  type IpAccessControlList,
  type SipCredentialList,
  type Trunk,
  type TwilioAccount,
  type TwilioApiKey,
  type TwilioCall,
  type TwilioMessage,
  type TwilioSandboxConfig,
} from './twilio-model.js';
import { hashSecret, secretMatches } from '../core/secret-hash.js';

/** Who a request authenticated as: an account's token, or one of its API keys. */
export interface TwilioPrincipal {
  account: TwilioAccount;
  apiKeySid: string | undefined;
}

export interface TwilioState {
  accounts: Map<string, TwilioAccount>;
  apiKeys: Map<string, TwilioApiKey>;
  credentialLists: Map<string, SipCredentialList>;
  ipAccessControlLists: Map<string, IpAccessControlList>;
  trunks: Map<string, Trunk>;
  numbers: Map<string, IncomingNumber>;
  messages: Map<string, TwilioMessage>;
  calls: Map<string, TwilioCall>;
  /** Domain names of deleted trunks: still taken (21248). */
  quarantinedDomains: Set<string>;
}

export interface TwilioStore extends SandboxProviderStore {
  readonly state: TwilioState;
  readonly config: TwilioSandboxConfig;
  addAccount(input: {
    sid?: string;
    authToken: string;
    friendlyName?: string;
    parentSid?: string;
    /** Keep the token to show in account answers (subaccounts made through the API only). */
    showToken?: boolean;
  }): TwilioAccount;
  addApiKey(input: { sid?: string; accountSid: string; secret: string }): TwilioApiKey;
  /** Basic-auth check: `AC…:authToken` or `SK…:secret`. */
  authenticate(username: string, password: string): TwilioPrincipal | undefined;
  /** v2010 scope: the path's account itself, its parent, or an API key of that account. */
  canAccess(principal: TwilioPrincipal, accountSid: string): boolean;
  /** Would a SIP client authenticate to this trunk domain with username and password? */
  verifySip(domainName: string, username: string, password: string): boolean;
}

function emptyState(): TwilioState {
  return {
    accounts: new Map(),
    apiKeys: new Map(),
    credentialLists: new Map(),
    ipAccessControlLists: new Map(),
    trunks: new Map(),
    numbers: new Map(),
    messages: new Map(),
    calls: new Map(),
    quarantinedDomains: new Set(),
  };
}

export function createTwilioStore(seed: TwilioSeed | undefined): TwilioStore {
  const state = emptyState();
  const config = defaultTwilioConfig();

  const store: TwilioStore = {
    state,
    config,
    addAccount(input) {
      const sid = input.sid ?? newSid('AC');
      if (state.accounts.has(sid)) throw new SandboxAdminError(409, `account ${sid} exists`);
      if (input.parentSid !== undefined && !state.accounts.has(input.parentSid)) {
        throw new SandboxAdminError(400, `parent account ${input.parentSid} does not exist`);
      }
      const now = new Date();
      const account: TwilioAccount = {
        sid,
        friendlyName: input.friendlyName ?? sid,
        parentSid: input.parentSid,
        authToken: hashSecret(input.authToken),
        shownToken: input.showToken === true ? new Secret(input.authToken) : undefined,
        signingToken: new Secret(input.authToken),
        dateCreated: now,
        dateUpdated: now,
      };
      state.accounts.set(sid, account);
      return account;
    },
    addApiKey(input) {
      if (!state.accounts.has(input.accountSid)) {
        throw new SandboxAdminError(400, `account ${input.accountSid} does not exist`);
      }
      const sid = input.sid ?? newSid('SK');
      if (state.apiKeys.has(sid)) throw new SandboxAdminError(409, `API key ${sid} exists`);
      const key = {
        sid,
        accountSid: input.accountSid,
        secret: hashSecret(input.secret),
        dateCreated: new Date(),
      };
      state.apiKeys.set(sid, key);
      return key;
    },
    authenticate(username, password) {
      const account = state.accounts.get(username);
      if (account !== undefined) {
        return secretMatches(account.authToken, password)
          ? { account, apiKeySid: undefined }
          : undefined;
      }
      const key = state.apiKeys.get(username);
      if (key === undefined || !secretMatches(key.secret, password)) return undefined;
      const owner = state.accounts.get(key.accountSid);
      return owner === undefined ? undefined : { account: owner, apiKeySid: key.sid };
    },
    canAccess(principal, accountSid) {
      if (principal.account.sid === accountSid) return true;
      if (principal.apiKeySid !== undefined) return false; // a parent's keys cannot reach subaccounts
      return state.accounts.get(accountSid)?.parentSid === principal.account.sid;
    },
    verifySip(domainName, username, password) {
      const domain = domainName.toLowerCase();
      const trunk = [...state.trunks.values()].find((t) => t.domainName === domain);
      if (trunk === undefined) return false;
      for (const clSid of trunk.credentialLists.keys()) {
        const list = state.credentialLists.get(clSid);
        for (const credential of list?.credentials.values() ?? []) {
          if (credential.username === username && secretMatches(credential.password, password)) {
            return true;
          }
        }
      }
      return false;
    },
    reset() {
      Object.assign(state, emptyState());
      Object.assign(config, defaultTwilioConfig());
      applySeed();
    },
    ...twilioAdmin(() => store),
  };

  function applySeed(): void {
    for (const account of seed?.accounts ?? []) {
      store.addAccount({
        sid: account.sid,
        authToken: account.authToken,
        ...(account.friendlyName === undefined ? {} : { friendlyName: account.friendlyName }),
        ...(account.parentSid === undefined ? {} : { parentSid: account.parentSid }),
      });
      for (const key of account.apiKeys ?? []) {
        store.addApiKey({ sid: key.sid, accountSid: account.sid, secret: key.secret });
      }
      for (const phoneNumber of account.numbers ?? []) addSeededNumber(account.sid, phoneNumber);
    }
  }

  /** A seeded incoming number, as a purchase would make it (no trunk, no URLs). */
  function addSeededNumber(accountSid: string, phoneNumber: string): void {
    const taken = [...state.numbers.values()].some((n) => n.phoneNumber === phoneNumber);
    if (taken) throw new Error(`invalid sandbox seed: number ${phoneNumber} is seeded twice`);
    const now = new Date();
    const number: IncomingNumber = {
      sid: newSid('PN'),
      accountSid,
      phoneNumber,
      friendlyName: formatFriendly(phoneNumber),
      trunkSid: null,
      voiceUrl: null,
      voiceMethod: 'POST',
      smsUrl: null,
      smsMethod: 'POST',
      statusCallback: null,
      dateCreated: now,
      dateUpdated: now,
    };
    state.numbers.set(number.sid, number);
  }
  applySeed();
  return store;
}
