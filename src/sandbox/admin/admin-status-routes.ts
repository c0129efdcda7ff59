// Admin routes that move a provider resource's status and send the callback the provider would:
//   POST /__sandbox/twilio/calls/:sid/status        { status }             (twilio-status-admin.ts)
//   POST /__sandbox/twilio/messages/:sid/status     { status, errorCode? }
//   POST /__sandbox/retell/calls/:callId/events     { event, url }         (retell-webhook.ts)
//   POST /__sandbox/exotel/calls/:callSid/status    { status }             (completed | failed |
//                                                   busy | no-answer; exotel-status-callback.ts)
// Answers: the new status and what was sent (URL, fields or body, signature, the receiver's HTTP
// status, null when unreachable), never a token or key: the Exotel callback URL, which carries
// telvault's per-call hook token, is answered redacted (core/redact-url.ts). 404: unknown
// resource; 409: a move the lifecycle does not allow (nothing changes); 400: a bad body, naming
// the field.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseAdminInput } from '../core/admin-input.js';
import { redactUrl } from '../core/redact-url.js';
import { SandboxAdminError } from '../core/provider-store.js';
import { completeExotelCall } from '../exotel/exotel-status-callback.js';
import { sendRetellEvent } from '../retell/retell-webhook.js';
import type { SandboxContext } from '../sandbox-context.js';
import { moveCallStatus, moveMessageStatus } from '../twilio/twilio-status-admin.js';

const exotelInput = z.object({ status: z.enum(['completed', 'failed', 'busy', 'no-answer']) });

type Sid = { Params: { sid: string } };

export function registerStatusRoutes(app: FastifyInstance, context: SandboxContext): void {
  app.post<Sid>('/twilio/calls/:sid/status', (request) =>
    moveCallStatus(context.twilio, request.params.sid, request.body),
  );
  app.post<Sid>('/twilio/messages/:sid/status', (request) =>
    moveMessageStatus(context.twilio, request.params.sid, request.body),
  );
  app.post<Sid>('/retell/calls/:sid/events', (request) =>
    sendRetellEvent(context.retell, request.params.sid, request.body),
  );
  app.post<Sid>('/exotel/calls/:sid/status', async (request) => {
    const call = context.exotel.findCallBySid(request.params.sid);
    if (call === undefined) throw new SandboxAdminError(404, `no call ${request.params.sid}`);
    const { status } = parseAdminInput(exotelInput, request.body);
    const previousStatus = call.status;
    if (previousStatus !== 'in-progress') {
      throw new SandboxAdminError(409, `"status" cannot move a ${previousStatus} call`);
    }
    const url = call.statusCallback;
    const result = await completeExotelCall(call, status);
    return {
      sid: call.sid,
      previousStatus,
      status,
      callback:
        url === null || result.fields === undefined
          ? null
          : {
              url: redactUrl(url),
              contentType:
                call.statusCallbackContentType === 'application/json'
                  ? 'application/json'
                  : 'multipart/form-data',
              fields: result.fields,
              receiverStatus: result.status ?? null,
            },
    };
  });
}
