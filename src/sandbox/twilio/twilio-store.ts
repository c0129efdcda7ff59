// Twilio's state in the sandbox. (Being filled in by the sandbox-core owner.)
import type { SandboxProviderStore } from '../core/provider-store.js';
import type { TwilioSeed } from '../seed.js';

export interface TwilioStore extends SandboxProviderStore {
  /** Would a SIP client authenticate to this trunk domain with username and password? */
  verifySip(domainName: string, username: string, password: string): boolean;
}

export function createTwilioStore(_seed: TwilioSeed | undefined): TwilioStore {
  return {
    reset() {},
    dump() {
      return {};
    },
    verifySip() {
      return false;
    },
  };
}
