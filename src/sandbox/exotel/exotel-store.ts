// Exotel's state in the sandbox. Each API host is its own cluster with its own accounts
// (providers.md §5); an account has an API key and token (Basic auth), and a call log.
// Tokens are kept only as SHA-256 digests.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { secretDigest } from '../core/secret-digest.js';
import { SandboxAdminError, type SandboxProviderStore } from '../core/provider-store.js';
import type { ExotelSeed } from '../seed.js';

/** Exotel's v1 API hosts: Singapore and Mumbai clusters. */
export const EXOTEL_HOSTS = ['api.exotel.com', 'api.in.exotel.com'] as const;
export type ExotelHost = (typeof EXOTEL_HOSTS)[number];

export function isExotelHost(value: string): value is ExotelHost {
  return (EXOTEL_HOSTS as readonly string[]).includes(value);
}

export interface ExotelAccount {
  host: ExotelHost;
  sid: string;
  apiKey: string;
  tokenHash: Buffer;
  calls: Map<string, ExotelCall>;
}

export interface ExotelCall {
  sid: string;
  /** The account and the API key the call was authenticated with (never the token). */
  accountSid: string;
  apiKey: string;
  from: string;
  to: string | null;
  callerId: string;
  url: string | null;
  statusCallback: string | null;
  /** `multipart/form-data` (Exotel's default) or `application/json`. */
  statusCallbackContentType: string | null;
  customField: string | null;
  status: 'in-progress' | 'completed' | 'failed' | 'busy' | 'no-answer';
  created: Date;
  updated: Date;
}

export interface ExotelAccountView {
  host: ExotelHost;
  sid: string;
  apiKey: string;
  apiToken: string;
}

export interface ExotelStore extends SandboxProviderStore {
  readonly seed: ExotelSeed | undefined;
  /** The account at `host`/`sid` if (apiKey, apiToken) are its credentials. */
  authenticate(
    host: ExotelHost,
    sid: string,
    apiKey: string,
    apiToken: string,
  ): ExotelAccount | undefined;
  createAccount(input: unknown): ExotelAccountView;
  /** A call of the account at `host`/`sid`, for the admin surface (e.g. to complete it). */
  findCall(host: ExotelHost, accountSid: string, callSid: string): ExotelCall | undefined;
  /** A call of any account on any host (call sids are random, 32 hex). */
  findCallBySid(callSid: string): ExotelCall | undefined;
}

const hashToken = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

export function createExotelStore(seed: ExotelSeed | undefined): ExotelStore {
  const clusters = new Map<ExotelHost, Map<string, ExotelAccount>>(
    EXOTEL_HOSTS.map((host) => [host, new Map()]),
  );
  const cluster = (host: ExotelHost): Map<string, ExotelAccount> =>
    clusters.get(host) ?? new Map<string, ExotelAccount>();

  const add = (view: ExotelAccountView): ExotelAccountView => {
    const accounts = cluster(view.host);
    if (accounts.has(view.sid)) {
      throw new SandboxAdminError(409, `account ${view.sid} already exists on ${view.host}`);
    }
    accounts.set(view.sid, {
      host: view.host,
      sid: view.sid,
      apiKey: view.apiKey,
      tokenHash: hashToken(view.apiToken),
      calls: new Map(),
    });
    return view;
  };
  const applySeed = (): void => {
    for (const account of seed?.accounts ?? []) add(account);
  };
  applySeed();

  return {
    seed,
    findCall: (host, accountSid, callSid) => cluster(host).get(accountSid)?.calls.get(callSid),
    findCallBySid(callSid) {
      for (const accounts of clusters.values()) {
        for (const account of accounts.values()) {
          const call = account.calls.get(callSid);
          if (call !== undefined) return call;
        }
      }
      return undefined;
    },
    authenticate(host, sid, apiKey, apiToken) {
      const account = cluster(host).get(sid);
      if (account === undefined || account.apiKey !== apiKey) return undefined;
      return timingSafeEqual(account.tokenHash, hashToken(apiToken)) ? account : undefined;
    },
    createAccount(input) {
      const body = (input ?? {}) as Record<string, unknown>;
      const host = body.host ?? 'api.exotel.com';
      if (typeof host !== 'string' || !isExotelHost(host)) {
        throw new SandboxAdminError(400, `"host" must be one of ${EXOTEL_HOSTS.join(', ')}`);
      }
      for (const field of ['sid', 'apiKey', 'apiToken']) {
        const value = body[field];
        if (value !== undefined && (typeof value !== 'string' || value === '')) {
          throw new SandboxAdminError(400, `"${field}" must be a non-empty string`);
        }
      }
      const hex = (n: number): string => randomBytes(n).toString('hex');
      return add({
        host,
        sid: (body.sid as string | undefined) ?? `sandbox${hex(4)}`,
        apiKey: (body.apiKey as string | undefined) ?? hex(16),
        apiToken: (body.apiToken as string | undefined) ?? hex(16),
      });
    },
    reset() {
      for (const accounts of clusters.values()) accounts.clear();
      applySeed();
    },
    dump() {
      return Object.fromEntries(
        [...clusters].map(([host, accounts]) => [
          host,
          [...accounts.values()].map((a) => ({
            sid: a.sid,
            apiKey: secretDigest(a.apiKey),
            apiToken: `sha256:${a.tokenHash.toString('hex').slice(0, 16)}`,
            calls: [...a.calls.values()].map((c) => ({
              sid: c.sid,
              accountSid: c.accountSid,
              apiKey: secretDigest(c.apiKey),
              from: c.from,
              to: c.to,
              callerId: c.callerId,
              status: c.status,
              // Whether one was given: its URL may carry the receiver's per-call token.
              hasStatusCallback: c.statusCallback !== null,
              statusCallbackContentType: c.statusCallbackContentType,
              created: c.created.toISOString(),
            })),
          })),
        ]),
      );
    },
  };
}
