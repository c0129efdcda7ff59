// `telvault sandbox`: runs alone, generates and prints accounts without a seed, takes a seed file.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { runSandbox } from '../../src/cli/sandbox-command.js';
import { parseSandboxSeed, sandboxSeedSchema } from '../../src/sandbox/seed.js';

const basic = (user: string, pass: string) =>
  `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('telvault sandbox', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'telvault-sandbox-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('without a seed, creates accounts for every provider and prints them as JSON', async () => {
    const out: string[] = [];
    const running = await runSandbox({ port: 0 }, { write: (s) => out.push(s) });
    try {
      const printed = JSON.parse(out.join('')) as { url: string; seed: unknown };
      expect(printed.url).toBe(running.url);
      expect(printed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const seed = sandboxSeedSchema.parse(printed.seed);
      expect(seed.twilio?.accounts.length).toBeGreaterThan(0);
      expect(seed.retell?.apiKeys.length).toBeGreaterThan(0);
      expect(seed.exotel?.accounts.length).toBeGreaterThan(0);
      expect(seed.sendgrid?.apiKeys[0]).toMatch(/^SG\./);
      const account = seed.twilio?.accounts[0];
      const response = await fetch(`${printed.url}/twilio-trunking/v1/Trunks`, {
        headers: { authorization: basic(account?.sid ?? '', account?.authToken ?? '') },
      });
      expect(response.status).toBe(200);
      expect((await fetch(`${printed.url}/__sandbox/counters`)).status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it('takes a seed file and does not echo its secrets', async () => {
    const sid = `AC${'ab'.repeat(16)}`;
    const path = join(dir, 'seed.json');
    await writeFile(
      path,
      JSON.stringify({ twilio: { accounts: [{ sid, authToken: 'seeded-token-value' }] } }),
    );
    const out: string[] = [];
    const running = await runSandbox({ port: 0, seedPath: path }, { write: (s) => out.push(s) });
    try {
      expect(out.join('')).not.toContain('seeded-token-value');
      expect(Object.keys(JSON.parse(out.join('')) as object)).toEqual(['url']);
      const response = await fetch(`${running.url}/twilio-api/2010-04-01/Accounts/${sid}.json`, {
        headers: { authorization: basic(sid, 'seeded-token-value') },
      });
      expect(response.status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it('reports a missing or invalid seed file and a bad port with a non-zero exit', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(
      bad,
      JSON.stringify({ twilio: { accounts: [{ sid: 'AC1', authToken: 'x' }] } }),
    );
    for (const [args, message] of [
      [
        ['sandbox', '--port', '0', '--seed', join(dir, 'missing.json')],
        /cannot read the seed file/,
      ],
      [
        ['sandbox', '--port', '0', '--seed', bad],
        /"twilio\.accounts\.0\.sid" must be AC \+ 32 hex digits/,
      ],
      [['sandbox', '--port', 'eighty'], /"--port" expected an integer/],
    ] as const) {
      const err: string[] = [];
      const code = await runCli([...args], { write: () => {}, writeError: (s) => err.push(s) });
      expect(code).toBe(1);
      expect(err.join('')).toMatch(message);
    }
  });

  it('is registered in the CLI', async () => {
    const out: string[] = [];
    const code = await runCli(['sandbox', '--help'], { write: (s) => out.push(s) });
    expect(code).toBe(0);
    expect(out.join('')).toContain('--seed <file>');
  });

  it('parses seeds strictly, naming the field', () => {
    expect(() => parseSandboxSeed({ sendgrid: { apiKeys: [''] } })).toThrow(
      /"sendgrid\.apiKeys\.0"/,
    );
    expect(() =>
      parseSandboxSeed({
        exotel: { accounts: [{ host: 'evil.example.com', sid: 's', apiKey: 'k', apiToken: 't' }] },
      }),
    ).toThrow(/"exotel\.accounts\.0\.host"/);
    expect(parseSandboxSeed({})).toEqual({});
  });
});
