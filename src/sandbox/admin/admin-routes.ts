// The sandbox admin surface (`/__sandbox/…`, JSON in and out). Test-only: mounted with
// createSandboxApp({ admin: true }) and by `telvault sandbox`, never by `telvault serve`.
//
//   GET    /__sandbox/state                     every provider's state; secrets as digests only
//   POST   /__sandbox/<provider>/accounts       create an account (twilio: { sid?, authToken?,
//                                               friendlyName?, parentSid? } → { sid, authToken, … })
//   POST   /__sandbox/<provider>/keys           create a key (twilio: { accountSid, sid?, secret? })
//   POST   /__sandbox/<provider>/config         configurable behaviour (twilio: unverified error
//                                               codes { weakPassword: { status, code } }, …)
//   POST   /__sandbox/verify-sip                { domainName, username, password } → { ok }: would
//                                               a SIP client authenticate to that trunk?
//   POST   /__sandbox/retell/verify-sip         { phoneNumber, username, password } → { ok }: do
//                                               these match the SIP auth Retell holds for the number?
//   POST   /__sandbox/retell/outbound-check     { phoneNumber } → { ok, reason? }: would Retell's
//                                               outbound call from that imported number get through
//                                               its Twilio trunk? reason names the first link that
//                                               fails ("number not on trunk", "auth rejected", …)
//   POST   /__sandbox/retell/break-sip-auth     { phoneNumber, authUsername: "" | null | "<wrong>" }
//                                               → { phoneNumber, authUsername }: sets the
//                                               auth_username Retell holds for an imported number
//                                               (empty, none or wrong; the password is kept), the
//                                               failure a repair must find and fix
//   GET    /__sandbox/counters                  { "METHOD /route/pattern": calls }
//   POST   /__sandbox/reset                     back to the seeded state; clears log, faults, barriers
//   faults, barriers and the exchange log: see admin-fault-routes.ts
//   call and message statuses, with the callbacks they send: see admin-status-routes.ts
// Errors: { "error": "<message naming the field>" } with 400 / 404 / 409.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import {
  SANDBOX_PROVIDERS,
  SandboxAdminError,
  type SandboxProviderName,
} from '../core/provider-store.js';
import { providerStore, resetSandboxContext, type SandboxContext } from '../sandbox-context.js';
import { registerFaultRoutes } from './admin-fault-routes.js';
import { checkRetellOutbound } from './outbound-check.js';
import { registerStatusRoutes } from './admin-status-routes.js';

function isProvider(value: string): value is SandboxProviderName {
  return (SANDBOX_PROVIDERS as readonly string[]).includes(value);
}

function str(body: unknown, field: string): string {
  const value = (body as Record<string, unknown> | null | undefined)?.[field];
  if (typeof value !== 'string' || value === '') {
    throw new SandboxAdminError(400, `"${field}" must be a non-empty string`);
  }
  return value;
}

export const registerSandboxAdmin: FastifyPluginAsync<{ context: SandboxContext }> = (
  app,
  { context },
) => {
  app.setErrorHandler((err, _request, reply: FastifyReply) => {
    if (err instanceof SandboxAdminError) {
      return reply.code(err.status).send({ error: err.message });
    }
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    const message = err instanceof Error ? err.message : 'bad request';
    return reply.code(status).send({ error: status < 500 ? message : 'internal error' });
  });

  app.get('/state', () => {
    const state: Record<string, unknown> = {};
    for (const provider of SANDBOX_PROVIDERS)
      state[provider] = providerStore(context, provider).dump();
    return state;
  });

  app.post<{ Params: { provider: string; what: string } }>('/:provider/:what', (request, reply) => {
    const { provider, what } = request.params;
    if (!isProvider(provider)) throw new SandboxAdminError(404, `unknown provider ${provider}`);
    const store = providerStore(context, provider);
    const body: unknown = request.body ?? {};
    const result =
      what === 'accounts'
        ? store.createAccount?.(body)
        : what === 'keys'
          ? store.createKey?.(body)
          : what === 'config'
            ? store.configure?.(body)
            : undefined;
    if (result === undefined) {
      throw new SandboxAdminError(404, `${provider} has no admin "${what}"`);
    }
    return reply.code(what === 'config' ? 200 : 201).send(result);
  });

  app.post('/verify-sip', (request) => {
    const body = request.body;
    const ok = context.twilio.verifySip(
      str(body, 'domainName'),
      str(body, 'username'),
      str(body, 'password'),
    );
    return { ok };
  });

  // Static route: wins over '/:provider/:what' in Fastify's router.
  app.post('/retell/verify-sip', (request) => {
    const body = request.body;
    const ok = context.retell.verifySipAuth(
      str(body, 'phoneNumber'),
      str(body, 'username'),
      str(body, 'password'),
    );
    return { ok };
  });

  app.post('/retell/break-sip-auth', (request) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const phoneNumber = str(body, 'phoneNumber');
    const unknown = Object.keys(body).filter((k) => k !== 'phoneNumber' && k !== 'authUsername');
    if (unknown.length > 0)
      throw new SandboxAdminError(400, `unknown field(s): ${unknown.join(', ')}`);
    const authUsername = body['authUsername'];
    if (authUsername !== null && typeof authUsername !== 'string') {
      throw new SandboxAdminError(400, '"authUsername" must be a string ("" for empty) or null');
    }
    const number = context.retell.findNumber(phoneNumber);
    if (number === undefined) throw new SandboxAdminError(404, `no Retell number ${phoneNumber}`);
    if (number.sip === null) {
      throw new SandboxAdminError(409, `${phoneNumber} has no SIP trunk config to break`);
    }
    number.sip.authUsername = authUsername;
    return { phoneNumber, authUsername };
  });

  app.post('/retell/outbound-check', (request) =>
    checkRetellOutbound(context, str(request.body, 'phoneNumber')),
  );

  app.get('/counters', () => Object.fromEntries(context.counters));

  app.post('/reset', () => {
    resetSandboxContext(context);
    return { ok: true };
  });

  registerFaultRoutes(app, context);
  registerStatusRoutes(app, context);
  return Promise.resolve();
};
