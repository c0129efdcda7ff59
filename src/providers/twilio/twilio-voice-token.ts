// A Twilio Voice access token (a JWT for the Voice SDK in a browser or an app), made with the
// official SDK's AccessToken and VoiceGrant and signed with an API key's secret: Twilio accepts
// access tokens signed by an API key only, never by the account's auth token.
import twilio from 'twilio';
import { Secret } from '../../crypto/index.js';

export interface VoiceTokenInput {
  accountSid: string;
  apiKeySid: string;
  apiKeySecret: Secret<string>;
  identity: string;
  ttlSeconds: number;
  /** The TwiML app outgoing calls from the client run. */
  twimlAppSid?: string | undefined;
  incomingAllow: boolean;
}

/** The token, and when it expires (seconds since the epoch, as in its `exp` claim). */
export function createVoiceToken(input: VoiceTokenInput): { token: Secret<string>; exp: number } {
  const { AccessToken } = twilio.jwt;
  const nbf = Math.floor(Date.now() / 1000);
  const token = new AccessToken(input.accountSid, input.apiKeySid, input.apiKeySecret.reveal(), {
    identity: input.identity,
    ttl: input.ttlSeconds,
    nbf,
  });
  token.addGrant(
    new AccessToken.VoiceGrant({
      ...(input.twimlAppSid === undefined ? {} : { outgoingApplicationSid: input.twimlAppSid }),
      incomingAllow: input.incomingAllow,
    }),
  );
  const jwt = token.toJwt();
  // The SDK sets exp from its own clock: read it back rather than guess.
  const payload = JSON.parse(
    Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'),
  ) as { exp?: unknown };
  const exp = typeof payload.exp === 'number' ? payload.exp : nbf + input.ttlSeconds;
  return { token: new Secret(jwt), exp };
}

/**
 * Whether `signature` is Twilio's X-Twilio-Signature for this URL and form parameters under the
 * account's auth token, through the SDK's own check (which also tries the URL with and without
 * its port, as Twilio may sign either).
 */
export function isValidTwilioSignature(
  authToken: Secret<string>,
  signature: string,
  url: string,
  params: Record<string, string>,
): boolean {
  return twilio.validateRequest(authToken.reveal(), signature, url, params);
}
