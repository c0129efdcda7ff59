// SendGrid's state in the sandbox: API keys (digests only) with their scopes, the verified sender
// identities, and the accepted messages (providers.md §6).
import { createHash, randomBytes } from 'node:crypto';
import { secretDigest } from '../core/secret-digest.js';
import { SandboxAdminError, type SandboxProviderStore } from '../core/provider-store.js';
import type { SendgridSeed } from '../seed.js';

/** What a full-access key can do here; a restricted key lists fewer. */
export const SENDGRID_FULL_SCOPES = ['mail.send', 'scopes.read', 'user.account.read'] as const;

export interface SendgridKey {
  digest: string;
  scopes: string[];
}

export interface SendgridMessage {
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  acceptedAt: string;
}

export interface SendgridStore extends SandboxProviderStore {
  readonly seed: SendgridSeed | undefined;
  readonly messages: SendgridMessage[];
  authenticate(apiKey: string): SendgridKey | undefined;
  /** True when `email` may send: every sender when no list is configured. */
  senderVerified(email: string): boolean;
  createKey(input: unknown): { apiKey: string; scopes: string[] };
  createAccount(input: unknown): { apiKey: string; scopes: string[] };
  configure(input: unknown): { verifiedSenders: string[] | null };
}

const fullHash = (value: string): string =>
  createHash('sha256').update(value, 'utf8').digest('hex');

export function createSendgridStore(seed: SendgridSeed | undefined): SendgridStore {
  const keys = new Map<string, SendgridKey>();
  const messages: SendgridMessage[] = [];
  let verified: Set<string> | undefined;

  const addKey = (apiKey: string, scopes: string[]): void => {
    keys.set(fullHash(apiKey), { digest: secretDigest(apiKey), scopes });
  };
  const applySeed = (): void => {
    for (const apiKey of seed?.apiKeys ?? []) addKey(apiKey, [...SENDGRID_FULL_SCOPES]);
    verified =
      seed?.verifiedSenders === undefined
        ? undefined
        : new Set(seed.verifiedSenders.map((s) => s.toLowerCase()));
  };
  applySeed();

  const createKey = (input: unknown): { apiKey: string; scopes: string[] } => {
    const body = (input ?? {}) as { apiKey?: unknown; scopes?: unknown };
    if (body.apiKey !== undefined && (typeof body.apiKey !== 'string' || body.apiKey === '')) {
      throw new SandboxAdminError(400, '"apiKey" must be a non-empty string');
    }
    const scopes = body.scopes ?? [...SENDGRID_FULL_SCOPES];
    if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) {
      throw new SandboxAdminError(400, '"scopes" must be an array of strings');
    }
    const apiKey =
      body.apiKey ??
      `SG.${randomBytes(16).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    if (keys.has(fullHash(apiKey))) throw new SandboxAdminError(409, 'that API key already exists');
    addKey(apiKey, scopes);
    return { apiKey, scopes: scopes };
  };

  return {
    seed,
    messages,
    authenticate: (apiKey) => keys.get(fullHash(apiKey)),
    senderVerified(email) {
      if (verified === undefined) return true;
      const address = email.toLowerCase();
      const domain = address.slice(address.lastIndexOf('@'));
      return verified.has(address) || verified.has(domain);
    },
    createKey,
    createAccount: createKey,
    configure(input) {
      const body = (input ?? {}) as { verifiedSenders?: unknown };
      const list = body.verifiedSenders;
      if (list !== undefined) {
        if (list !== null && (!Array.isArray(list) || !list.every((s) => typeof s === 'string'))) {
          throw new SandboxAdminError(400, '"verifiedSenders" must be an array of strings or null');
        }
        verified = list === null ? undefined : new Set(list.map((s) => s.toLowerCase()));
      }
      return { verifiedSenders: verified === undefined ? null : [...verified] };
    },
    reset() {
      keys.clear();
      messages.length = 0;
      applySeed();
    },
    dump() {
      return {
        apiKeys: [...keys.values()].map((k) => ({ digest: k.digest, scopes: k.scopes })),
        verifiedSenders: verified === undefined ? null : [...verified],
        messages: messages.map((m) => ({ ...m })),
      };
    },
  };
}
