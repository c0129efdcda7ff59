// Retell's webhook signature (`x-retell-signature: v=<ms>,d=<hex HMAC-SHA256>`), checked with the
// SDK's own `verify` over the exact raw body, within its 5-minute window.
import { verify } from 'retell-sdk';
import type { Secret } from '../../crypto/index.js';

export async function isValidRetellSignature(
  key: Secret<string>,
  rawBody: string,
  signature: string,
): Promise<boolean> {
  try {
    return await verify(rawBody, key.reveal(), signature);
  } catch {
    // A malformed signature is simply not a valid one.
    return false;
  }
}
