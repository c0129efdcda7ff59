// Both Retell list endpoints: the old `GET /list-phone-numbers` (a bare array, retell-sdk ≤ 5.10)
// and `GET /v2/list-phone-numbers` (paged: `{items, has_more, pagination_key?}`, retell-sdk ≥ 5.45).
// The pagination key is the last number of the page; the next page starts after it (exclusive).
import type { FastifyInstance } from 'fastify';
import { retellError, RETELL_MESSAGES, workspaceOf } from './retell-http.js';
import { parseBody, type listQuerySchema } from './retell-schemas.js';
import type { RetellStore } from './retell-store.js';
import { toPhoneNumberResponse } from './retell-view.js';

export function registerRetellListRoutes(
  app: FastifyInstance,
  store: RetellStore,
  querySchema: typeof listQuerySchema,
): void {
  const sorted = (workspace: string, order: 'ascending' | 'descending') => {
    const all = [...store.numbersOf(workspace).values()].sort((a, b) => a.seq - b.seq);
    return order === 'ascending' ? all : all.reverse();
  };

  app.get('/list-phone-numbers', async (request, reply) => {
    const all = sorted(workspaceOf(request), 'ascending');
    return reply.code(200).send(all.map(toPhoneNumberResponse));
  });

  app.get('/v2/list-phone-numbers', async (request, reply) => {
    const parsed = parseBody(querySchema, request.query, { body: false });
    if (!parsed.ok) {
      return retellError(reply, 400, `${RETELL_MESSAGES.badRequest} (${parsed.problem})`);
    }
    const { limit, sort_order, pagination_key } = parsed.value;
    const all = sorted(workspaceOf(request), sort_order);
    let start = 0;
    if (pagination_key !== undefined && pagination_key !== '') {
      const at = all.findIndex((n) => n.fields.phone_number === pagination_key);
      if (at === -1) {
        return retellError(reply, 400, `${RETELL_MESSAGES.badRequest} (pagination_key: unknown)`);
      }
      start = at + 1;
    }
    const page = all.slice(start, start + limit);
    const hasMore = start + limit < all.length;
    const last = page[page.length - 1];
    return reply.code(200).send({
      items: page.map(toPhoneNumberResponse),
      has_more: hasMore,
      ...(hasMore && last !== undefined ? { pagination_key: last.fields.phone_number } : {}),
    });
  });
}
