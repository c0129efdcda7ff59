// Twilio's status callbacks for calls and messages: the parameters Twilio sends, signed as Twilio
// signs them (X-Twilio-Signature, computed by the twilio SDK's own getExpectedTwilioSignature
// under the owning account's auth token), form-encoded in a POST (or in the query of a GET).
import { randomUUID } from 'node:crypto';
import twilio from 'twilio';
import type { Secret } from '../../crypto/index.js';
import { deliverCallback } from '../core/callback-delivery.js';
import { rfc2822 } from './twilio-format.js';
import { isTerminalCall } from './twilio-lifecycle.js';
import type { StatusCallbackTarget, TwilioCall, TwilioMessage } from './twilio-model.js';

const API_VERSION = '2010-04-01';

/** What the sandbox sent, as the admin surface answers it (the signature, never the token). */
export interface SentStatusCallback {
  /** The URL requested: for GET, the callback URL with the parameters in its query. */
  url: string;
  method: 'GET' | 'POST';
  params: Record<string, string>;
  signature: string;
  /** The receiver's HTTP status; null when it could not be reached. */
  receiverStatus: number | null;
}

/** A call's status callback parameters (Twilio's voice webhook set plus the callback extras). */
export function callCallbackParams(call: TwilioCall, sequence: number): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: call.accountSid,
    ApiVersion: API_VERSION,
    CallSid: call.sid,
    CallStatus: call.status,
    CallbackSource: 'call-progress-events',
    Called: call.to,
    Caller: call.from,
    Direction: 'outbound-api',
    From: call.from,
    SequenceNumber: String(sequence),
    Timestamp: rfc2822(call.dateUpdated),
    To: call.to,
  };
  if (isTerminalCall(call.status)) params.CallDuration = String(callDuration(call));
  return params;
}

/** Whole seconds from answer to end; 0 for a call never answered. */
export function callDuration(call: TwilioCall): number {
  if (call.startTime === null || call.endTime === null) return 0;
  return Math.max(0, Math.round((call.endTime.getTime() - call.startTime.getTime()) / 1000));
}

/** A message's status callback parameters (the SmsSid/SmsStatus twins are still sent). */
export function messageCallbackParams(message: TwilioMessage): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: message.accountSid,
    ApiVersion: API_VERSION,
    MessageSid: message.sid,
    MessageStatus: message.status,
    SmsSid: message.sid,
    SmsStatus: message.status,
    To: message.to,
  };
  if (message.from !== null) params.From = message.from;
  if (message.messagingServiceSid !== null) {
    params.MessagingServiceSid = message.messagingServiceSid;
  }
  if (message.errorCode !== null) params.ErrorCode = String(message.errorCode);
  return params;
}

/** Signs `params` for `target` with the account's auth token and delivers them. */
export async function sendStatusCallback(
  target: StatusCallbackTarget,
  params: Record<string, string>,
  authToken: Secret,
): Promise<SentStatusCallback> {
  const form = new URLSearchParams(params).toString();
  if (target.method === 'GET') {
    // A GET carries the parameters in the URL, and the signature covers that whole URL.
    const url = `${target.url}${target.url.includes('?') ? '&' : '?'}${form}`;
    const signature = twilio.getExpectedTwilioSignature(authToken.reveal(), url, {});
    const receiverStatus = await deliverCallback({
      url,
      method: 'GET',
      headers: headers(signature),
    });
    return { url, method: 'GET', params, signature, receiverStatus };
  }
  const signature = twilio.getExpectedTwilioSignature(authToken.reveal(), target.url, params);
  const receiverStatus = await deliverCallback({
    url: target.url,
    method: 'POST',
    headers: { ...headers(signature), 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  return { url: target.url, method: 'POST', params, signature, receiverStatus };
}

function headers(signature: string): Record<string, string> {
  return {
    'x-twilio-signature': signature,
    'i-twilio-idempotency-token': randomUUID(),
    'user-agent': 'TwilioProxy/1.1',
  };
}
