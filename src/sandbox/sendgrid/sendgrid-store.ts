// SendGrid's state in the sandbox: API keys (digests only) with their scopes, the sender
// identities and authenticated domains (sendgrid-senders.ts), and the accepted messages
// (providers.md §6).
import { createHash, randomBytes } from 'node:crypto';
import { secretDigest } from '../core/secret-digest.js';
import { SandboxAdminError, type SandboxProviderStore } from '../core/provider-store.js';
import type { SendgridSeed } from '../seed.js';
import {
  createSendgridSenders,
  parseSenderSetup,
  type SenderSetup,
  type SendgridSenders,
} from './sendgrid-senders.js';

/**
 * The scope the sandbox asks for before it lists sender identities or authenticated domains.
 * `whitelabel.read` is SendGrid's documented read scope for Sender Authentication; that the
 * verified-senders list asks for the same one is unverified (providers.md §10: configurable by
 * creating keys with other scopes). telvault reads a 403 from either list as "cannot tell".
 */
export const SENDGRID_SENDER_READ_SCOPE = 'whitelabel.read';

/** What a full-access key can do here; a restricted key lists fewer. */
export const SENDGRID_FULL_SCOPES = [
  'mail.send',
  'scopes.read',
  'user.account.read',
  SENDGRID_SENDER_READ_SCOPE,
] as const;

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
  readonly senders: SendgridSenders;
  authenticate(apiKey: string): SendgridKey | undefined;
  /** True when `email` may send: every sender when no list is configured. */
  senderVerified(email: string): boolean;
  createKey(input: unknown): { apiKey: string; scopes: string[] };
  createAccount(input: unknown): { apiKey: string; scopes: string[] };
  /** `{ verifiedSenders?, unverifiedSenders?, authenticatedDomains? }` → the whole setup. */
  configure(input: unknown): SenderSetup;
}

const fullHash = (value: string): string =>
  createHash('sha256').update(value, 'utf8').digest('hex');

export function createSendgridStore(seed: SendgridSeed | undefined): SendgridStore {
  const keys = new Map<string, SendgridKey>();
  const messages: SendgridMessage[] = [];
  const seededSenders = (): Partial<SenderSetup> => ({
    verifiedSenders: seed?.verifiedSenders ?? null,
    unverifiedSenders: seed?.unverifiedSenders ?? [],
    authenticatedDomains: seed?.authenticatedDomains ?? [],
  });
  const senders = createSendgridSenders(seededSenders());

  const addKey = (apiKey: string, scopes: string[]): void => {
    keys.set(fullHash(apiKey), { digest: secretDigest(apiKey), scopes });
  };
  const applySeed = (): void => {
    for (const apiKey of seed?.apiKeys ?? []) addKey(apiKey, [...SENDGRID_FULL_SCOPES]);
    senders.apply(seededSenders());
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
    senders,
    authenticate: (apiKey) => keys.get(fullHash(apiKey)),
    senderVerified: (email) => senders.maySend(email),
    createKey,
    createAccount: createKey,
    configure(input) {
      senders.apply(parseSenderSetup(input));
      return senders.setup();
    },
    reset() {
      keys.clear();
      messages.length = 0;
      applySeed();
    },
    dump() {
      return {
        apiKeys: [...keys.values()].map((k) => ({ digest: k.digest, scopes: k.scopes })),
        ...senders.setup(),
        messages: messages.map((m) => ({ ...m })),
      };
    },
  };
}
