// STUB by the sandbox-core owner so the sandbox typechecks: the Sendgrid emulator owner replaces the
// body. Contract: createSandboxContext() calls createSendgridStore(seed section); the store applies
// its seed section itself, reset() restores exactly the seeded state, dump() never shows a secret
// (use secretDigest from ../core/secret-digest.js). createAccount/createKey/configure back the
// admin routes POST /__sandbox/sendgrid/accounts|keys|config (optional; 404 when absent).
import type { SandboxProviderStore } from '../core/provider-store.js';
import type { SendgridSeed } from '../seed.js';

export interface SendgridStore extends SandboxProviderStore {
  readonly seed: SendgridSeed | undefined;
}

export function createSendgridStore(seed: SendgridSeed | undefined): SendgridStore {
  return {
    seed,
    reset() {},
    dump() {
      return {};
    },
  };
}
