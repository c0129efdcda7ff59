// The error handler's answers for the outbound limits, through a real Fastify app: a refusal is
// 429 ERR_RATE_LIMITED with Retry-After and the RateLimit headers it carries; a limit that cannot
// be checked is 503 ERR_RATE_LIMIT_UNAVAILABLE without them.
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelvaultError } from '../../src/errors.js';
import { errorHandler } from '../../src/http/error-handler.js';
import { RateLimitError } from '../../src/services/limits/index.js';

const app = Fastify();
const headers = {
  'RateLimit-Policy': '"caller";q=30;w=60, "destination-600s";q=3;w=600',
  RateLimit: '"caller";r=29;t=60, "destination-600s";r=0;t=420',
};

beforeAll(async () => {
  app.setErrorHandler(errorHandler);
  app.get('/limited', () => {
    throw new RateLimitError('ERR_RATE_LIMITED', 'call refused: limit reached', 420, headers);
  });
  app.get('/unavailable', () => {
    throw new TelvaultError('ERR_RATE_LIMIT_UNAVAILABLE', 'the limit cannot be checked');
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
});

describe('outbound limit errors over HTTP', () => {
  it('answers a refusal 429 with Retry-After and the RateLimit headers', async () => {
    const r = await app.inject({ method: 'GET', url: '/limited' });
    expect(r.statusCode).toBe(429);
    expect(r.json<{ error: { code: string } }>().error.code).toBe('ERR_RATE_LIMITED');
    expect(r.headers['retry-after']).toBe('420');
    expect(r.headers['ratelimit-policy']).toBe(headers['RateLimit-Policy']);
    expect(r.headers['ratelimit']).toBe(headers.RateLimit);
  });

  it('answers an unavailable limit 503 ERR_RATE_LIMIT_UNAVAILABLE', async () => {
    const r = await app.inject({ method: 'GET', url: '/unavailable' });
    expect(r.statusCode).toBe(503);
    expect(r.json<{ error: { code: string; message: string } }>().error).toMatchObject({
      code: 'ERR_RATE_LIMIT_UNAVAILABLE',
      message: 'the limit cannot be checked',
    });
    expect(r.headers['ratelimit']).toBeUndefined();
  });
});
