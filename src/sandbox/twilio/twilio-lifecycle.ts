// Twilio's call and message lifecycles as the sandbox moves them (admin surface only), and the
// status-callback options a create request may carry (twilio_api_v2010.json, Calls and Messages
// create: StatusCallback, StatusCallbackEvent, StatusCallbackMethod).
import { invalidParam, optional, TwilioHttpError } from './twilio-format.js';
import type { CallStatus, MessageStatus, StatusCallbackTarget } from './twilio-model.js';

/** Every call status, in lifecycle order; the last five are terminal. */
export const CALL_STATUSES: readonly CallStatus[] = [
  'queued',
  'initiated',
  'ringing',
  'in-progress',
  'completed',
  'busy',
  'failed',
  'no-answer',
  'canceled',
];

export const MESSAGE_STATUSES: readonly MessageStatus[] = [
  'queued',
  'sending',
  'sent',
  'delivered',
  'undelivered',
  'failed',
];

const NOT_ANSWERED: readonly CallStatus[] = ['queued', 'initiated', 'ringing'];

/** Which statuses a call may move to each status from (forward only; steps may be skipped). */
const CALL_FROM: Record<CallStatus, readonly CallStatus[]> = {
  queued: [],
  initiated: ['queued'],
  ringing: ['queued', 'initiated'],
  'in-progress': NOT_ANSWERED,
  completed: ['in-progress'],
  busy: NOT_ANSWERED,
  'no-answer': NOT_ANSWERED,
  canceled: NOT_ANSWERED,
  failed: NOT_ANSWERED,
};

/** `failed`: never sent; `undelivered`: sent, not delivered (Twilio's message status docs). */
const MESSAGE_FROM: Record<MessageStatus, readonly MessageStatus[]> = {
  queued: [],
  sending: ['queued'],
  sent: ['queued', 'sending'],
  delivered: ['queued', 'sending', 'sent'],
  undelivered: ['queued', 'sending', 'sent'],
  failed: ['queued', 'sending'],
};

export function canMoveCall(from: CallStatus, to: CallStatus): boolean {
  return CALL_FROM[to].includes(from);
}

export function canMoveMessage(from: MessageStatus, to: MessageStatus): boolean {
  return MESSAGE_FROM[to].includes(from);
}

export function isTerminalCall(status: CallStatus): boolean {
  return CALL_STATUSES.indexOf(status) >= CALL_STATUSES.indexOf('completed');
}

/**
 * The StatusCallbackEvent a call status belongs to: `in-progress` is `answered`, and every
 * terminal status is reported as the `completed` event (with its own CallStatus).
 */
export function callEventOf(status: CallStatus): string | undefined {
  if (status === 'initiated' || status === 'ringing') return status;
  if (status === 'in-progress') return 'answered';
  return isTerminalCall(status) ? 'completed' : undefined;
}

const CALL_EVENTS = ['initiated', 'ringing', 'answered', 'completed'];
const HTTP_URL = /^https?:\/\/[^\s/?#_]+(?::\d+)?(?:[/?#]\S*)?$/;

function callbackUrl(form: URLSearchParams, errorCode: number): string | undefined {
  const url = optional(form, 'StatusCallback');
  if (url === undefined || url === '') return undefined;
  // The spec: "URLs must contain a valid hostname (underscores are not permitted)".
  if (!HTTP_URL.test(url)) {
    throw new TwilioHttpError(400, errorCode, `StatusCallback must be an http(s) URL: ${url}`);
  }
  return url;
}

/** Calls.json: StatusCallback with its events (repeated; default `completed`) and method. */
export function parseCallCallback(form: URLSearchParams): StatusCallbackTarget | null {
  const method = optional(form, 'StatusCallbackMethod') ?? 'POST';
  if (method !== 'GET' && method !== 'POST') {
    throw invalidParam('StatusCallbackMethod must be GET or POST.');
  }
  // Twilio also accepts the events space-separated in one value.
  const events = form.getAll('StatusCallbackEvent').flatMap((v) => v.split(' ').filter(Boolean));
  const unknown = events.find((e) => !CALL_EVENTS.includes(e));
  if (unknown !== undefined) {
    throw invalidParam(`StatusCallbackEvent must be one of ${CALL_EVENTS.join(', ')}: ${unknown}`);
  }
  const url = callbackUrl(form, 21205);
  if (url === undefined) return null;
  return {
    url,
    method,
    events: events.length === 0 ? ['completed'] : [...new Set(events)],
    sent: 0,
  };
}

/** Messages.json: StatusCallback (always POSTed, on every status change). 21609: invalid URL. */
export function parseMessageCallback(form: URLSearchParams): StatusCallbackTarget | null {
  const url = callbackUrl(form, 21609);
  return url === undefined ? null : { url, method: 'POST', events: MESSAGE_STATUSES, sent: 0 };
}
