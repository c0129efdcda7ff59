import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';

describe('telvault CLI', () => {
  it('prints a fresh base64 32-byte key with keygen', async () => {
    const out: string[] = [];
    const code = await runCli(['keygen'], { write: (s) => out.push(s) });
    expect(code).toBe(0);
    const key = Buffer.from(out.join('').trim(), 'base64');
    expect(key.length).toBe(32);
  });

  it('rejects an unknown command with a non-zero exit', async () => {
    const err: string[] = [];
    const code = await runCli(['no-such-command'], {
      write: () => {},
      writeError: (s) => err.push(s),
    });
    expect(code).not.toBe(0);
    expect(err.join('')).toMatch(/unknown command/i);
  });
});
