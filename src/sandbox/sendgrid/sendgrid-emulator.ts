// SendGrid v3 (https://api.sendgrid.com), mounted at /sendgrid: Bearer auth, `POST /v3/mail/send`
// (202, empty body, `X-Message-Id`), `errors[]` bodies, and two cheap authenticated reads for
// credential checks: `GET /v3/scopes` and `GET /v3/user/account` (providers.md §6, §8.6).
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { createRequestPrincipal } from '../core/request-principal.js';
import type { SandboxContext } from '../sandbox-context.js';
import { mailSendProblems, type SendgridProblem } from './sendgrid-mail-rules.js';
import type { SendgridKey } from './sendgrid-store.js';

const keys = createRequestPrincipal<SendgridKey>('sendgrid');

function sendErrors(reply: FastifyReply, status: number, errors: SendgridProblem[]): FastifyReply {
  return reply
    .code(status)
    .send({ errors: errors.map((e) => ({ message: e.message, field: e.field, help: e.help })) });
}

const problem = (message: string, field: string | null = null): SendgridProblem => ({
  message,
  field,
  help: null,
});

const FORBIDDEN = problem('access forbidden');

const keyOf = (request: FastifyRequest): SendgridKey => keys.of(request);

export const sendgridEmulator: FastifyPluginAsync<{ context: SandboxContext }> = (
  app,
  { context },
) => {
  const store = context.sendgrid;
  context.errorFormatters.sendgrid = (_status, _code, message) => ({
    errors: [{ message, field: null, help: null }],
  });

  app.setErrorHandler((error: { statusCode?: number }, _request, reply) => {
    if (error.statusCode !== undefined && error.statusCode < 500) {
      return sendErrors(reply, 400, [problem('Bad Request')]);
    }
    return sendErrors(reply, 500, [problem('Internal Server Error')]);
  });
  app.setNotFoundHandler((_request, reply) => sendErrors(reply, 404, [problem('not found')]));

  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization;
    if (header === undefined) return sendErrors(reply, 401, [problem('authorization required')]);
    const match = /^Bearer (.+)$/.exec(header);
    const key = match?.[1] === undefined ? undefined : store.authenticate(match[1]);
    if (key === undefined) {
      return sendErrors(reply, 401, [
        problem('The provided authorization grant is invalid, expired, or revoked'),
      ]);
    }
    keys.remember(request, key);
    return undefined;
  });

  app.post('/v3/mail/send', async (request, reply) => {
    if (!keyOf(request).scopes.includes('mail.send')) return sendErrors(reply, 403, [FORBIDDEN]);
    const checked = mailSendProblems(request.body);
    if (!checked.ok) return sendErrors(reply, 400, checked.problems);
    const { mail } = checked;
    if (!store.senderVerified(mail.from)) {
      return sendErrors(reply, 403, [
        problem(
          'The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved. Visit https://sendgrid.com/docs/for-developers/sending-email/sender-identity/ to see the Sender Identity requirements',
          'from',
        ),
      ]);
    }
    const messageId = randomBytes(16).toString('base64url');
    store.messages.push({ messageId, ...mail, acceptedAt: new Date().toISOString() });
    return reply.code(202).header('x-message-id', messageId).send();
  });

  app.get('/v3/scopes', async (request, reply) =>
    reply.code(200).send({ scopes: keyOf(request).scopes }),
  );

  app.get('/v3/user/account', async (request, reply) => {
    if (!keyOf(request).scopes.includes('user.account.read')) {
      return sendErrors(reply, 403, [FORBIDDEN]);
    }
    return reply.code(200).send({ type: 'free', reputation: 100 });
  });
  return Promise.resolve();
};
