// What both Twilio host plugins share: the form-body parser, Twilio-shaped errors (thrown
// TwilioHttpError, 404s, injected faults) and authentication.
import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../sandbox-context.js';
import { authError, authenticate } from './twilio-auth.js';
import {
  TwilioHttpError,
  canonicalPath,
  notFound,
  sendTwilioError,
  twilioErrorBody,
} from './twilio-format.js';

export function setUpTwilioPlugin(
  app: FastifyInstance,
  context: SandboxContext,
  scope: 'path-account' | 'authenticated-account',
): void {
  const store = context.twilio;
  // Form bodies keep repeated keys: read them with getAll (providers.md §1.1).
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, new URLSearchParams(String(body))),
  );
  // Injected faults without a code get Twilio's 20xxx twin of the status (20429, 20500, …).
  context.errorFormatters.twilio = (status, code, message) =>
    twilioErrorBody(status, code === undefined ? 20_000 + status : Number(code), message);

  app.setErrorHandler((err, _request, reply) => {
    if (err instanceof TwilioHttpError) return sendTwilioError(reply, err);
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      const message = err instanceof Error ? err.message : 'Bad request';
      return sendTwilioError(reply, new TwilioHttpError(status, 20001, message));
    }
    return sendTwilioError(reply, new TwilioHttpError(500, 20500, 'Internal Server Error'));
  });
  app.setNotFoundHandler((request, reply) =>
    sendTwilioError(reply, notFound(canonicalPath(request))),
  );

  app.addHook('preHandler', (request, _reply, done) => {
    try {
      const principal = authenticate(store, request);
      const accountSid = (request.params as { AccountSid?: string } | undefined)?.AccountSid;
      if (scope === 'path-account' && accountSid !== undefined) {
        if (!store.canAccess(principal, accountSid)) throw authError();
      }
      done();
    } catch (err) {
      done(err as Error);
    }
  });
}
