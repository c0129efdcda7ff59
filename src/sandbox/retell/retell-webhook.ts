// Retell's webhooks for the sandbox's calls (admin surface): applies the event to the call, then
// POSTs `{ "event", "call" }` to the URL given, signed in `x-retell-signature` by retell-sdk's own
// `sign(body, apiKey)` with the workspace's webhook key (retell-store.ts webhookKeyOf).
import { sign } from 'retell-sdk';
import { z } from 'zod';
import { parseAdminInput } from '../core/admin-input.js';
import { deliverCallback } from '../core/callback-delivery.js';
import { SandboxAdminError } from '../core/provider-store.js';
import { applyCallEvent, toCallResponse, type RetellCallEvent } from './retell-calls.js';
import type { RetellStore } from './retell-store.js';

const eventInput = z.object({
  event: z.enum(['call_started', 'call_ended', 'call_analyzed']),
  url: z.url({ protocol: /^https?$/ }),
});

/** The admin answer: what was sent (never the key) and the receiver's HTTP status. */
export interface SentRetellWebhook {
  callId: string;
  event: RetellCallEvent;
  callStatus: string;
  webhook: {
    url: string;
    /** The exact JSON body sent (and signed). */
    body: string;
    signature: string;
    /** null when the receiver could not be reached. */
    receiverStatus: number | null;
  };
}

/** POST /__sandbox/retell/calls/:callId/events { event, url } */
export async function sendRetellEvent(
  store: RetellStore,
  callId: string,
  input: unknown,
): Promise<SentRetellWebhook> {
  const call = store.calls.find(callId);
  if (call === undefined) throw new SandboxAdminError(404, `no call ${callId}`);
  const { event, url } = parseAdminInput(eventInput, input);
  const key = store.webhookKeyOf(call.workspace);
  if (key === undefined) {
    throw new SandboxAdminError(409, "the call's workspace has no API key to sign with");
  }
  const refused = applyCallEvent(call, event);
  if (refused !== undefined) throw new SandboxAdminError(409, `"event" refused: ${refused}`);
  const body = JSON.stringify({ event, call: toCallResponse(call) });
  const signature = await sign(body, key.reveal());
  const receiverStatus = await deliverCallback({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-retell-signature': signature },
    body,
  });
  return {
    callId,
    event,
    callStatus: call.fields.call_status,
    webhook: { url, body, signature, receiverStatus },
  };
}
