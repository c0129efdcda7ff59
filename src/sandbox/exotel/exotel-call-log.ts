// Exotel's call log: `GET Calls/{CallSid}(.json)` and the bulk list `GET Calls(.json)`, newest
// first, paged with `PageSize` (≤ 100) and a `Before=<CallSid>` cursor. The list's `Metadata`
// envelope follows Exotel's bulk call details; its exact paging fields are unverified [U].
import type { FastifyInstance } from 'fastify';
import { accountOf, formatOf } from './exotel-http.js';
import { callFields, sendExotel, sendExotelError } from './exotel-format.js';

type CallParams = { Params: { host: string; sid: string; callSid: string } };
type ListQuery = { Querystring: { PageSize?: string; Before?: string } };

export function registerExotelCallLogRoutes(app: FastifyInstance): void {
  app.get<CallParams>('/:host/v1/Accounts/:sid/Calls/:callSid', async (request, reply) => {
    const format = formatOf(request);
    const callSid = request.params.callSid.replace(/\.json$/, '');
    const call = accountOf(request).calls.get(callSid);
    if (call === undefined) {
      return sendExotelError(reply, format, 404, 'The requested resource was not found');
    }
    return sendExotel(reply, format, 200, { Call: callFields(call) });
  });

  for (const path of ['/:host/v1/Accounts/:sid/Calls', '/:host/v1/Accounts/:sid/Calls.json']) {
    app.get<CallParams & ListQuery>(path, async (request, reply) => {
      const format = formatOf(request);
      const account = accountOf(request);
      const pageSize = Number(request.query.PageSize ?? '50');
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
        return sendExotelError(reply, format, 400, 'Invalid parameter: PageSize must be 1 to 100');
      }
      const all = [...account.calls.values()].reverse();
      let start = 0;
      const before = request.query.Before;
      if (before !== undefined) {
        start = all.findIndex((c) => c.sid === before) + 1;
        if (start === 0) return sendExotelError(reply, format, 400, 'Invalid parameter: Before');
      }
      const page = all.slice(start, start + pageSize);
      const last = page[page.length - 1];
      const base = `/v1/Accounts/${account.sid}/Calls${format === 'json' ? '.json' : ''}`;
      const more = start + pageSize < all.length && last !== undefined;
      return sendExotel(reply, format, 200, {
        Metadata: {
          Total: all.length,
          PageSize: pageSize,
          FirstPageUri: `${base}?PageSize=${pageSize}`,
          PrevPageUri: null,
          NextPageUri: more ? `${base}?PageSize=${pageSize}&Before=${last.sid}` : null,
        },
        Calls: page.map(callFields),
      });
    });
  }
}
