// The library and tests start servers through createServer: the same checks as `telvault serve`.
import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/crypto/secret.js';
import { startTestServer } from '../support/server.js';

describe('createServer', () => {
  it('refuses a root token shorter than serve accepts, without echoing it', async () => {
    const short = 'tvr_short-CANARY';
    const err: unknown = await startTestServer('sqlite', {
      config: { rootToken: new Secret(short) },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'ERR_CONFIG_INVALID',
      message: `TELVAULT_ROOT_TOKEN is ${short.length} characters long: it must be at least 32`,
    });
    expect(String((err as Error).message)).not.toContain('CANARY');
  });
});
