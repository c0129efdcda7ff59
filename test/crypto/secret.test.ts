import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { format, inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isSecret, Secret } from '../../src/crypto/index.js';

const CANARY = 'canary-AC0123456789abcdef';

function consoleOutput(write: (c: Console) => void): string {
  let out = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done): void {
      out += chunk.toString();
      done();
    },
  });
  write(new Console({ stdout: stream, stderr: stream }));
  return out;
}

describe('Secret', () => {
  const secret = new Secret(CANARY);

  it('prints [REDACTED] everywhere', () => {
    const nested = { token: secret, list: [secret], deep: { a: { b: { c: secret } } } };
    const renderings = [
      String(secret),
      // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- the point of the test
      `${secret}`,
      `${secret as unknown as string}`,
      '' + (secret as unknown as string),
      JSON.stringify(secret),
      JSON.stringify(nested),
      inspect(secret),
      inspect(nested, { depth: Infinity, showHidden: true }),
      format('%s %o %O %j %d', secret, secret, nested, nested, secret),
      consoleOutput((c) => {
        c.log(secret);
        c.log('value: %s', secret);
        c.error(nested);
        c.dir(nested, { depth: 10 });
        c.table([{ secret }]);
      }),
    ];
    for (const text of renderings) {
      expect(text).not.toContain(CANARY);
    }
    expect(String(secret)).toBe('[REDACTED]');
    expect(JSON.stringify(nested)).toBe(
      '{"token":"[REDACTED]","list":["[REDACTED]"],"deep":{"a":{"b":{"c":"[REDACTED]"}}}}',
    );
    expect(inspect(secret)).toBe('[REDACTED]');
  });

  it('gives the value only through reveal()', () => {
    expect(secret.reveal()).toBe(CANARY);
    expect(Object.keys(secret)).toEqual([]);
    expect({ ...secret }).toEqual({});
    expect(isSecret(secret)).toBe(true);
    expect(isSecret(CANARY)).toBe(false);
  });
});
