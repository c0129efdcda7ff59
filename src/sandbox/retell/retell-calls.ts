// Retell's phone calls in the sandbox: kept per workspace, served as `V2PhoneCallResponse`
// (../shared/specs/retell/openapi.yaml), moved along registered → ongoing → ended by the admin
// surface, which also sends the webhooks (retell-webhook.ts).
import { randomBytes } from 'node:crypto';

export type RetellCallStatus = 'registered' | 'not_connected' | 'ongoing' | 'ended' | 'error';

/** A new call's response fields, snake_case as served; optional ones appear once known. */
export interface NewRetellCall {
  call_type: 'phone_call';
  agent_id: string;
  agent_version: number;
  call_status: RetellCallStatus;
  from_number: string;
  to_number: string;
  direction: 'outbound';
  [field: string]: unknown;
}

export type RetellCallFields = NewRetellCall & { call_id: string };

export interface RetellCall {
  workspace: string;
  fields: RetellCallFields;
}

export interface RetellCallBook {
  add(workspace: string, fields: NewRetellCall): RetellCall;
  /** The call if it belongs to `workspace` (another workspace's call is not found). */
  get(workspace: string, callId: string): RetellCall | undefined;
  /** The call in any workspace (admin surface). */
  find(callId: string): RetellCall | undefined;
  list(workspace: string): RetellCall[];
  clear(): void;
}

export function createRetellCallBook(): RetellCallBook {
  const calls = new Map<string, RetellCall>();
  return {
    add(workspace, fields) {
      // Retell's call ids are 32 characters (the spec's examples: hex or base62).
      const call: RetellCall = {
        workspace,
        fields: { call_id: randomBytes(16).toString('hex'), ...fields },
      };
      calls.set(call.fields.call_id, call);
      return call;
    },
    get(workspace, callId) {
      const call = calls.get(callId);
      return call?.workspace === workspace ? call : undefined;
    },
    find: (callId) => calls.get(callId),
    list: (workspace) => [...calls.values()].filter((c) => c.workspace === workspace),
    clear: () => calls.clear(),
  };
}

export function toCallResponse(call: RetellCall): Record<string, unknown> {
  return { ...call.fields };
}

export type RetellCallEvent = 'call_started' | 'call_ended' | 'call_analyzed';

/**
 * Applies a webhook event to the call: `call_started` (registered → ongoing), `call_ended`
 * (ongoing → ended, or registered → not_connected: the callee never answered), `call_analyzed`
 * (once, after it ended). Returns the refusal, or undefined when the call moved.
 */
export function applyCallEvent(call: RetellCall, event: RetellCallEvent): string | undefined {
  const fields = call.fields;
  const now = Date.now();
  const status = fields.call_status;
  if (event === 'call_started') {
    if (status !== 'registered') return `a call_started needs a registered call, not ${status}`;
    fields.call_status = 'ongoing';
    fields.start_timestamp = now;
    return undefined;
  }
  if (event === 'call_ended') {
    if (status === 'registered') {
      Object.assign(fields, {
        call_status: 'not_connected',
        disconnection_reason: 'dial_no_answer',
      });
      fields.end_timestamp = now;
      return undefined;
    }
    if (status !== 'ongoing')
      return `a call_ended needs a registered or ongoing call, not ${status}`;
    const start = typeof fields.start_timestamp === 'number' ? fields.start_timestamp : now;
    Object.assign(fields, {
      call_status: 'ended',
      end_timestamp: now,
      duration_ms: Math.max(0, now - start),
      disconnection_reason: 'user_hangup',
      transcript: '',
    });
    return undefined;
  }
  if (status !== 'ended' && status !== 'not_connected') {
    return `a call_analyzed needs an ended call, not ${status}`;
  }
  if (fields.call_analysis !== undefined) return 'the call was analyzed already';
  fields.call_analysis = {
    call_summary: 'Sandbox call.',
    in_voicemail: false,
    user_sentiment: 'Unknown',
    call_successful: status === 'ended',
    custom_analysis_data: {},
  };
  return undefined;
}
