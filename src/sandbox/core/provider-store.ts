// What every provider emulator's store offers the sandbox core and the admin surface.
// Each provider defines its own store type in its folder (TwilioStore, RetellStore, …) that
// extends this interface; createSandboxContext builds one of each from the seed.

export type SandboxProviderName = 'twilio' | 'retell' | 'exotel' | 'sendgrid';

export const SANDBOX_PROVIDERS: readonly SandboxProviderName[] = [
  'twilio',
  'retell',
  'exotel',
  'sendgrid',
];

export interface SandboxProviderStore {
  /** Forgets everything and restores exactly the seeded state (POST /__sandbox/reset). */
  reset(): void;
  /**
   * State for GET /__sandbox/state: JSON-safe, and never a secret — passwords, tokens and keys
   * appear only as digests (see `secretDigest`).
   */
  dump(): unknown;
  /**
   * POST /__sandbox/<provider>/accounts. `input` is the parsed JSON body, unvalidated: validate it
   * and throw SandboxAdminError(400, …) on bad input. Returns the created account; it may echo a
   * secret the sandbox generated (the admin surface is test-only and is not in the exchange log).
   */
  createAccount?(input: unknown): unknown;
  /** POST /__sandbox/<provider>/keys, same rules as createAccount. */
  createKey?(input: unknown): unknown;
  /** POST /__sandbox/<provider>/config: changes configurable behaviour (unverified error codes…). */
  configure?(input: unknown): unknown;
}

/** An admin request the sandbox refuses; the admin surface answers `{ error: message }`. */
export class SandboxAdminError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'SandboxAdminError';
    this.status = status;
  }
}
