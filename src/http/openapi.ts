// The OpenAPI 3.1 document, generated from the route specs: the same zod schemas that validate
// requests and shape responses (zod 4's JSON Schema output), so the document cannot drift.
import { z } from 'zod';
import { IDEMPOTENCY_KEY_HEADER } from '../services/idempotency/index.js';
import type { RouteSpec } from './route-spec.js';
import { errorSchema } from './schemas.js';

type Json = Record<string, unknown>;

/**
 * The formats of JSON Schema 2020-12 and the OpenAPI format registry. zod names some checks with a
 * format of its own (`.startsWith()` is `"format": "starts_with"`) beside the pattern that states
 * the rule: those are dropped, the pattern stays.
 */
const STANDARD_FORMATS = new Set([
  'date-time',
  'date',
  'time',
  'duration',
  'email',
  'idn-email',
  'hostname',
  'idn-hostname',
  'ipv4',
  'ipv6',
  'uri',
  'uri-reference',
  'iri',
  'iri-reference',
  'uuid',
  'uri-template',
  'json-pointer',
  'relative-json-pointer',
  'regex',
  'int32',
  'int64',
  'float',
  'double',
  'password',
  'byte',
  'binary',
]);

function standardFormatsOnly(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) standardFormatsOnly(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Json;
  if (typeof obj['format'] === 'string' && !STANDARD_FORMATS.has(obj['format'])) {
    delete obj['format'];
  }
  for (const value of Object.values(obj)) standardFormatsOnly(value);
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output', components: Json): Json {
  const generated = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
  });
  standardFormatsOnly(generated);
  // Named schemas ($defs) become components; rewrite their references, those between named
  // schemas too (a named view holding another).
  const out = JSON.parse(
    JSON.stringify(generated).replaceAll('"#/$defs/', '"#/components/schemas/'),
  ) as Json;
  const defs = out['$defs'] as Json | undefined;
  delete out['$schema'];
  delete out['$defs'];
  if (defs !== undefined) Object.assign(components, defs);
  return out;
}

function parameters(
  schema: z.ZodType | undefined,
  where: 'path' | 'query',
  components: Json,
): Json[] {
  if (!(schema instanceof z.ZodObject)) return [];
  const shape = schema.shape as Record<string, z.ZodType>;
  return Object.entries(shape).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || !s.safeParse(undefined).success,
    schema: jsonSchema(s, 'input', components),
  }));
}

/** The Idempotency-Key header as a parameter (the rule is request-mac.ts's). */
function idempotencyKeyParameter(required: boolean): Json {
  return {
    name: IDEMPOTENCY_KEY_HEADER,
    in: 'header',
    required,
    description: required
      ? 'Required: the same key with the same body answers the first answer and does the work once.'
      : 'Optional: the same key with the same body answers the first answer and does the work once.',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7e]+$' },
  };
}

const ERROR_STATUSES: Record<string, string> = {
  '400': 'Validation failed: the message names the field and the rule',
  '401': 'Missing, invalid, expired or revoked token',
  '403': 'The token lacks the scope this route needs',
  '404': 'Not found, or a tenant that is not the token’s',
};

export function buildOpenApi(routes: readonly RouteSpec[], info: { version: string }): Json {
  const components: Json = {};
  const paths: Record<string, Json> = {};
  const errorRef = { $ref: '#/components/schemas/Error' };
  jsonSchema(errorSchema, 'output', components); // registers the Error component

  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const responses: Json = {};
    const success =
      r.response === undefined
        ? { description: 'Done' }
        : {
            description: 'Success',
            content: {
              'application/json': { schema: jsonSchema(r.response, 'output', components) },
            },
          };
    responses[String(r.status)] = success;
    if (r.alternate !== undefined) responses[String(r.alternate.status)] = success;
    if (r.access.kind !== 'public') {
      for (const [status, description] of Object.entries(ERROR_STATUSES)) {
        // Any valid token may call an `authenticated` route, on no tenant's path: no 403, no 404.
        if (r.access.kind === 'authenticated' && (status === '403' || status === '404')) continue;
        responses[status] = { description, content: { 'application/json': { schema: errorRef } } };
      }
    }
    const scope =
      r.access.kind === 'tenant'
        ? `Scope: \`${r.access.scope}\`${r.access.also === undefined ? '' : ` and \`${r.access.also}\``}${r.access.root ? ' (or the root token)' : ' (the root token is refused)'}.`
        : r.access.kind === 'root'
          ? 'Root token only.'
          : r.access.kind === 'authenticated'
            ? 'Any valid token (the root token, or a tenant token with any scopes).'
            : 'No authentication.';
    const op: Json = {
      operationId: r.operationId,
      summary: r.summary,
      description: [r.description, scope].filter((s) => s !== undefined).join('\n\n'),
      tags: r.tags,
      parameters: [
        ...parameters(r.params, 'path', components),
        ...parameters(r.query, 'query', components),
        ...(r.idempotencyKey === undefined
          ? []
          : [idempotencyKeyParameter(r.idempotencyKey === 'required')]),
      ],
      responses,
    };
    // A public route says so: no security requirement at all (the document has no global one).
    op['security'] = r.access.kind === 'public' ? [] : [{ bearer: [] }];
    if (r.body !== undefined) {
      op['requestBody'] = {
        required: true,
        content: { 'application/json': { schema: jsonSchema(r.body, 'input', components) } },
      };
    }
    paths[path] = { ...(paths[path] ?? {}), [r.method.toLowerCase()]: op };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'telvault',
      version: info.version,
      description: 'Credential vault and telephony provisioning for voice-AI platforms.',
    },
    servers: [{ url: '/' }],
    components: {
      schemas: components,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'Tenant token (tvk_…) or the root token',
        },
      },
    },
    paths,
  };
}
