// The provider callbacks, public (the providers hold no telvault token) and checked by the
// webhook service: Twilio's status callbacks (form fields, X-Twilio-Signature over the URL it
// posted to), Exotel's (JSON, as telvault asks for it; the per-call token in the path), Retell's
// (the raw body as signed). They take their bodies as text in their own scope, since the API's
// JSON parser would lose what was signed. Not in the OpenAPI document: no client calls them.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TelvaultError } from '../../errors.js';
import type { TenantId } from '../../crypto/index.js';
import type { WebhookService } from '../../services/webhooks/index.js';

export interface HookRouteDeps {
  webhooks: WebhookService;
  tenantExists: (id: string) => Promise<boolean>;
  /** TELVAULT_PUBLIC_URL: the origin the providers post to (what Twilio signs). */
  publicUrl: () => string | undefined;
}

const BODY_LIMIT = 256 * 1024;

type Hook = FastifyRequest<{ Params: { tenantId: string; token?: string } }>;

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return typeof v === 'string' ? v : undefined;
}

function formFields(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(text)) fields[k] = v;
  return fields;
}

function objectOf(request: FastifyRequest): Record<string, unknown> {
  const text = typeof request.body === 'string' ? request.body : '';
  const type = header(request, 'content-type') ?? '';
  if (type.startsWith('application/x-www-form-urlencoded')) return formFields(text);
  try {
    const v: unknown = JSON.parse(text);
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      return v as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new TelvaultError('ERR_VALIDATION', 'body: must be a JSON object or form fields');
}

export function registerHookRoutes(app: FastifyInstance, deps: HookRouteDeps): void {
  void app.register((scope, _opts, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'string', bodyLimit: BODY_LIMIT },
      (_r, body, next) => {
        next(null, body);
      },
    );
    const tenantOf = async (request: Hook): Promise<TenantId> => {
      const id = request.params.tenantId;
      if (!(await deps.tenantExists(id)))
        throw new TelvaultError('ERR_NOT_FOUND', 'tenant not found');
      return id as TenantId;
    };

    scope.post('/hooks/twilio/:tenantId/status', async (request: Hook, reply) => {
      const tenantId = await tenantOf(request);
      const base = deps.publicUrl()?.replace(/\/+$/, '');
      if (base === undefined)
        throw new TelvaultError(
          'ERR_WEBHOOK_SIGNATURE_INVALID',
          'X-Twilio-Signature: no TELVAULT_PUBLIC_URL to check it against',
        );
      const text = typeof request.body === 'string' ? request.body : '';
      await deps.webhooks.twilioStatus(tenantId, {
        url: `${base}${request.url}`,
        params: formFields(text),
        signature: header(request, 'x-twilio-signature'),
      });
      return reply.code(204).send();
    });

    scope.post('/hooks/exotel/:tenantId/:token/status', async (request: Hook, reply) => {
      const tenantId = await tenantOf(request);
      await deps.webhooks.exotelStatus(tenantId, request.params.token ?? '', objectOf(request));
      return reply.code(204).send();
    });

    scope.post('/hooks/retell/:tenantId', async (request: Hook, reply) => {
      const tenantId = await tenantOf(request);
      const text = typeof request.body === 'string' ? request.body : '';
      await deps.webhooks.retell(tenantId, text, header(request, 'x-retell-signature'));
      return reply.code(204).send();
    });
    done();
  });
}
