// Ends a sandbox call and, when it was placed with a StatusCallback, POSTs Exotel's terminal
// status callback to it (providers.md §5 "StatusCallback fields"): multipart/form-data by
// default, JSON when StatusCallbackContentType asked for it. For tests and the admin surface.
import type { ExotelCall } from './exotel-store.js';
import { exotelTime } from './exotel-format.js';

export type ExotelTerminalStatus = 'completed' | 'failed' | 'busy' | 'no-answer';

export interface StatusCallbackResult {
  /** The fields sent, or undefined when the call had no StatusCallback. */
  fields: Record<string, string> | undefined;
  /** HTTP status of the receiver, undefined when not delivered (none, refused, timed out). */
  status: number | undefined;
}

export async function completeExotelCall(
  call: ExotelCall,
  status: ExotelTerminalStatus,
  timeoutMs = 2_000,
): Promise<StatusCallbackResult> {
  call.status = status;
  call.updated = new Date();
  if (call.statusCallback === null) return { fields: undefined, status: undefined };
  const fields: Record<string, string> = {
    CallSid: call.sid,
    EventType: 'terminal',
    Status: status,
    RecordingUrl: '',
    DateCreated: exotelTime(call.created),
    DateUpdated: exotelTime(call.updated),
    To: call.to ?? '',
    From: call.from,
    PhoneNumberSid: call.callerId,
    StartTime: exotelTime(call.created),
    EndTime: exotelTime(call.updated),
    CustomField: call.customField ?? '',
  };
  const json = call.statusCallbackContentType === 'application/json';
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  try {
    const response = await fetch(call.statusCallback, {
      method: 'POST',
      ...(json
        ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields) }
        : { body: form }),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    await response.arrayBuffer();
    return { fields, status: response.status };
  } catch {
    return { fields, status: undefined };
  }
}
