// SendGrid v3 (https://api.sendgrid.com), mounted at /sendgrid: Bearer auth, `POST /v3/mail/send`
// (202, empty body, `X-Message-Id`), `errors[]` bodies, two cheap authenticated reads for
// credential checks (`GET /v3/scopes`, `GET /v3/user/account`), and the sender lists a check of the
// from address reads: `GET /v3/verified_senders` (verified and pending alike, `limit`,
// `lastSeenID`, `id`) and `GET /v3/whitelabel/domains` (`limit`, `offset`, `domain`)
// (providers.md §6, §8.6).
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { createRequestPrincipal } from '../core/request-principal.js';
import type { SandboxContext } from '../sandbox-context.js';
import { mailSendProblems, type SendgridProblem } from './sendgrid-mail-rules.js';
import { SENDGRID_SENDER_READ_SCOPE, type SendgridKey } from './sendgrid-store.js';

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

type IntParams =
  | { ok: true; values: Record<string, number | undefined> }
  | { ok: false; problem: SendgridProblem };

/** Integer query parameters (name → minimum) of a list read, or the 400 for the first bad one. */
function intParams(request: FastifyRequest, names: Record<string, number>): IntParams {
  const query = request.query as Record<string, unknown> | undefined;
  const values: Record<string, number | undefined> = {};
  for (const [name, min] of Object.entries(names)) {
    const raw = query?.[name];
    if (raw === undefined) continue;
    const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < min) {
      return { ok: false, problem: problem(`${name} must be an integer of at least ${min}`, name) };
    }
    values[name] = value;
  }
  return { ok: true, values };
}

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

  app.get('/v3/verified_senders', async (request, reply) => {
    if (!keyOf(request).scopes.includes(SENDGRID_SENDER_READ_SCOPE)) {
      return sendErrors(reply, 403, [FORBIDDEN]);
    }
    const q = intParams(request, { limit: 1, lastSeenID: 0, id: 0 });
    if (!q.ok) return sendErrors(reply, 400, [q.problem]);
    const { limit, lastSeenID, id } = q.values;
    const results = store.senders
      .identities()
      .filter((s) => id === undefined || s.id === id)
      .filter((s) => lastSeenID === undefined || s.id > lastSeenID)
      .slice(0, limit);
    return reply.code(200).send({ results });
  });

  app.get('/v3/whitelabel/domains', async (request, reply) => {
    if (!keyOf(request).scopes.includes(SENDGRID_SENDER_READ_SCOPE)) {
      return sendErrors(reply, 403, [FORBIDDEN]);
    }
    const q = intParams(request, { limit: 1, offset: 0 });
    if (!q.ok) return sendErrors(reply, 400, [q.problem]);
    const { limit, offset = 0 } = q.values;
    // `domain` searches: SendGrid documents it as a search, not an exact match.
    const search = (request.query as Record<string, unknown> | undefined)?.['domain'];
    const found = store.senders
      .domains()
      .filter((d) => typeof search !== 'string' || d.domain.includes(search.toLowerCase()));
    return reply
      .code(200)
      .send(found.slice(offset, limit === undefined ? undefined : offset + limit));
  });

  app.get('/v3/user/account', async (request, reply) => {
    if (!keyOf(request).scopes.includes('user.account.read')) {
      return sendErrors(reply, 403, [FORBIDDEN]);
    }
    return reply.code(200).send({ type: 'free', reputation: 100 });
  });
  return Promise.resolve();
};
