// The admin side of call and message status: move a call or message along Twilio's lifecycle
// (so a later fetch shows it) and send its status callback when it asked for one.
import { z } from 'zod';
import { parseAdminInput } from '../core/admin-input.js';
import { SandboxAdminError } from '../core/provider-store.js';
import {
  CALL_STATUSES,
  MESSAGE_STATUSES,
  callEventOf,
  canMoveCall,
  canMoveMessage,
  isTerminalCall,
} from './twilio-lifecycle.js';
import type { CallStatus, MessageStatus, TwilioAccount } from './twilio-model.js';
import {
  callCallbackParams,
  messageCallbackParams,
  sendStatusCallback,
  type SentStatusCallback,
} from './twilio-status-callback.js';
import type { TwilioStore } from './twilio-store.js';

/** The admin answer: the new status and the callback sent (null when none was due). */
export interface StatusMove<S extends string> {
  sid: string;
  previousStatus: S;
  status: S;
  callback: SentStatusCallback | null;
}

const callInput = z.object({ status: z.enum(CALL_STATUSES as [CallStatus, ...CallStatus[]]) });
const messageInput = z.object({
  status: z.enum(MESSAGE_STATUSES as [MessageStatus, ...MessageStatus[]]),
  /** For failed / undelivered; default 30008 (failed) or 30003 (undelivered). */
  errorCode: z.number().int().min(30001).max(39999).optional(),
});

function ownerOf(store: TwilioStore, accountSid: string): TwilioAccount {
  const account = store.state.accounts.get(accountSid);
  if (account === undefined) throw new SandboxAdminError(409, `account ${accountSid} is gone`);
  return account;
}

function refuse(what: string, from: string, to: string): SandboxAdminError {
  return new SandboxAdminError(409, `"status" cannot move a ${what} from ${from} to ${to}`);
}

/** POST /__sandbox/twilio/calls/:sid/status { status } */
export async function moveCallStatus(
  store: TwilioStore,
  sid: string,
  input: unknown,
): Promise<StatusMove<CallStatus>> {
  const call = store.state.calls.get(sid);
  if (call === undefined) throw new SandboxAdminError(404, `no call ${sid}`);
  const { status } = parseAdminInput(callInput, input);
  const previousStatus = call.status;
  if (!canMoveCall(previousStatus, status)) throw refuse('call', previousStatus, status);
  const account = ownerOf(store, call.accountSid);
  const now = new Date();
  call.status = status;
  call.dateUpdated = now;
  if (status === 'in-progress') call.startTime = now;
  if (isTerminalCall(status)) call.endTime = now;

  const target = call.statusCallback;
  const event = callEventOf(status);
  if (target === null || event === undefined || !target.events.includes(event)) {
    return { sid, previousStatus, status, callback: null };
  }
  const params = callCallbackParams(call, target.sent);
  target.sent += 1;
  const callback = await sendStatusCallback(target, params, account.signingToken);
  return { sid, previousStatus, status, callback };
}

/** POST /__sandbox/twilio/messages/:sid/status { status, errorCode? } */
export async function moveMessageStatus(
  store: TwilioStore,
  sid: string,
  input: unknown,
): Promise<StatusMove<MessageStatus>> {
  const message = store.state.messages.get(sid);
  if (message === undefined) throw new SandboxAdminError(404, `no message ${sid}`);
  const { status, errorCode } = parseAdminInput(messageInput, input);
  const previousStatus = message.status;
  if (!canMoveMessage(previousStatus, status)) throw refuse('message', previousStatus, status);
  const failed = status === 'failed' || status === 'undelivered';
  if (errorCode !== undefined && !failed) {
    throw new SandboxAdminError(400, '"errorCode" is only for failed or undelivered');
  }
  const account = ownerOf(store, message.accountSid);
  const now = new Date();
  message.status = status;
  message.dateUpdated = now;
  if (status === 'sent' || (status === 'delivered' && message.dateSent === null)) {
    message.dateSent = now;
  }
  if (failed) message.errorCode = errorCode ?? (status === 'failed' ? 30008 : 30003);

  const target = message.statusCallback;
  if (target === null) return { sid, previousStatus, status, callback: null };
  target.sent += 1;
  const callback = await sendStatusCallback(
    target,
    messageCallbackParams(message),
    account.signingToken,
  );
  return { sid, previousStatus, status, callback };
}
