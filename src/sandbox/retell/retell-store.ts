// Retell's state in the sandbox: workspaces reached by API keys, each with its phone numbers keyed
// by E.164 (providers.md §4, §8.4), its calls, and the key that signs its webhooks. The SIP
// password Retell was given is never served, nor is any API key.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Secret } from '../../crypto/index.js';
import { secretDigest } from '../core/secret-digest.js';
import { SandboxAdminError, type SandboxProviderStore } from '../core/provider-store.js';
import type { RetellSeed } from '../seed.js';
import { createRetellCallBook, toCallResponse, type RetellCallBook } from './retell-calls.js';
import { toPhoneNumberResponse } from './retell-view.js';

export interface RetellSipConfig {
  terminationUri: string | null;
  authUsername: string | null;
  /**
   * In plaintext, in memory, in the sandbox only: like Retell, the sandbox must present it to the
   * trunk, whose credentials Twilio's store keeps only as salted hashes (outbound-check.ts).
   * Wrapped so it prints `[REDACTED]`; answers leave it out and the state dump shows a digest.
   */
  password: Secret | undefined;
  transport: string | null;
}

/** One imported number: its response fields (snake_case, as served) and its outbound SIP trunk. */
export interface RetellNumber {
  seq: number;
  fields: RetellNumberFields;
  sip: RetellSipConfig | null;
}

export interface RetellNumberFields {
  phone_number: string;
  phone_number_type: 'retell-twilio' | 'retell-telnyx' | 'custom';
  last_modification_timestamp: number;
  [field: string]: unknown;
}

/** What Retell does on a second import of a number (unknown in reality: providers.md §10). */
export type RetellDuplicateImport = 400 | 409;

export interface RetellSettings {
  duplicateImportStatus: RetellDuplicateImport;
}

export interface RetellKeyView {
  apiKey: string;
  workspace: string;
  /** Whether this key signs the workspace's webhooks. */
  webhook: boolean;
}

export interface RetellStore extends SandboxProviderStore {
  readonly settings: RetellSettings;
  /** The workspace an API key opens, or undefined for an unknown key. */
  workspaceFor(apiKey: string): string | undefined;
  numbersOf(workspace: string): Map<string, RetellNumber>;
  /** Every workspace's calls (call ids are unique across workspaces). */
  readonly calls: RetellCallBook;
  /**
   * The key Retell signs the workspace's webhooks with: the one marked for webhooks (seed
   * `webhookKey`, admin `webhook: true`), else the workspace's first key.
   */
  webhookKeyOf(workspace: string): Secret | undefined;
  /** The number as imported in any workspace (Retell's phone numbers are global), if any. */
  findNumber(phoneNumber: string): RetellNumber | undefined;
  nextSeq(): number;
  /** Would Retell's SIP client authenticate with (username, password) for this number? */
  verifySipAuth(phoneNumber: string, username: string, password: string): boolean;
  createKey(input: unknown): RetellKeyView;
  createAccount(input: unknown): RetellKeyView;
  configure(input: unknown): RetellSettings;
}

export function createRetellStore(seed: RetellSeed | undefined): RetellStore {
  const keys = new Map<string, string>();
  const workspaces = new Map<string, Map<string, RetellNumber>>();
  const webhookKeys = new Map<string, string>();
  const calls = createRetellCallBook();
  const settings: RetellSettings = { duplicateImportStatus: 400 };
  let seq = 0;

  const addKey = (apiKey: string, workspace?: string, webhook = false): RetellKeyView => {
    const ws = workspace ?? `ws_${randomBytes(8).toString('hex')}`;
    if (!workspaces.has(ws)) workspaces.set(ws, new Map());
    keys.set(apiKey, ws);
    if (webhook) webhookKeys.set(ws, apiKey);
    return { apiKey, workspace: ws, webhook: webhookKeyOf(ws) === apiKey };
  };
  const webhookKeyOf = (ws: string): string | undefined =>
    webhookKeys.get(ws) ?? [...keys].find(([, owner]) => owner === ws)?.[0];
  const applySeed = (): void => {
    for (const apiKey of seed?.apiKeys ?? []) addKey(apiKey);
    for (const group of seed?.workspaces ?? []) {
      const [first, ...rest] = group.apiKeys;
      if (first === undefined) continue;
      const { workspace } = addKey(first, undefined, group.webhookKey === first);
      for (const apiKey of rest) addKey(apiKey, workspace, group.webhookKey === apiKey);
    }
  };
  applySeed();

  const createKey = (input: unknown): RetellKeyView => {
    const body = (input ?? {}) as { apiKey?: unknown; workspace?: unknown; webhook?: unknown };
    if (body.webhook !== undefined && typeof body.webhook !== 'boolean') {
      throw new SandboxAdminError(400, '"webhook" must be a boolean');
    }
    if (body.apiKey !== undefined && (typeof body.apiKey !== 'string' || body.apiKey === '')) {
      throw new SandboxAdminError(400, '"apiKey" must be a non-empty string');
    }
    if (body.workspace !== undefined && typeof body.workspace !== 'string') {
      throw new SandboxAdminError(400, '"workspace" must be a string');
    }
    if (typeof body.workspace === 'string' && !workspaces.has(body.workspace)) {
      throw new SandboxAdminError(404, `workspace ${body.workspace} does not exist`);
    }
    const apiKey = body.apiKey ?? `key_${randomBytes(12).toString('hex')}`;
    if (keys.has(apiKey)) throw new SandboxAdminError(409, 'that API key already exists');
    return addKey(apiKey, body.workspace, body.webhook === true);
  };

  return {
    settings,
    workspaceFor: (apiKey) => keys.get(apiKey),
    numbersOf(workspace) {
      let numbers = workspaces.get(workspace);
      if (numbers === undefined) {
        numbers = new Map();
        workspaces.set(workspace, numbers);
      }
      return numbers;
    },
    calls,
    webhookKeyOf(workspace) {
      const key = webhookKeyOf(workspace);
      return key === undefined ? undefined : new Secret(key);
    },
    findNumber(phoneNumber) {
      for (const numbers of workspaces.values()) {
        const number = numbers.get(phoneNumber);
        if (number !== undefined) return number;
      }
      return undefined;
    },
    nextSeq: () => ++seq,
    verifySipAuth(phoneNumber, username, password) {
      for (const numbers of workspaces.values()) {
        const sip = numbers.get(phoneNumber)?.sip;
        if (sip?.password !== undefined && sip.authUsername === username) {
          if (sameSecret(sip.password.reveal(), password)) return true;
        }
      }
      return false;
    },
    createKey,
    createAccount: (input) => createKey({ ...(input as object), workspace: undefined }),
    configure(input) {
      const body = (input ?? {}) as { duplicateImportStatus?: unknown };
      const status = body.duplicateImportStatus;
      if (status !== undefined) {
        if (status !== 400 && status !== 409) {
          throw new SandboxAdminError(400, '"duplicateImportStatus" must be 400 or 409');
        }
        settings.duplicateImportStatus = status;
      }
      return { ...settings };
    },
    reset() {
      keys.clear();
      workspaces.clear();
      webhookKeys.clear();
      calls.clear();
      settings.duplicateImportStatus = 400;
      seq = 0;
      applySeed();
    },
    dump() {
      return {
        settings: { ...settings },
        workspaces: [...workspaces].map(([id, numbers]) => ({
          id,
          apiKeys: [...keys].filter(([, ws]) => ws === id).map(([key]) => secretDigest(key)),
          webhookKey: ((key) => (key === undefined ? null : secretDigest(key)))(webhookKeyOf(id)),
          numbers: [...numbers.values()].map((n) => ({
            ...toPhoneNumberResponse(n),
            sipPasswordDigest:
              n.sip?.password === undefined ? null : secretDigest(n.sip.password.reveal()),
          })),
          // Numbers as they are (a test double); never a key.
          calls: calls.list(id).map(toCallResponse),
        })),
      };
    },
  };
}

/** Constant-time equality of two strings of any length (compared as SHA-256 digests). */
function sameSecret(a: string, b: string): boolean {
  const digest = (v: string) => createHash('sha256').update(v, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
