// A git repository made for the scan tests: every kind of secret once in the working tree and
// once in an old commit (deleted by a later one), look-alikes that must not be reported, and
// ignored files that must not be read. Every secret is random per run (nothing secret-shaped is
// committed to telvault itself) and is returned with where it was planted.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SecretKind } from '../../src/services/scan/index.js';

export interface Planted {
  kind: SecretKind;
  file: string;
  line: number;
  /** The secret ('' for a .env file). */
  value: string;
  /** Set for the old (deleted) ones: the commit that added them. */
  commit?: string;
}

export interface FixtureRepo {
  dir: string;
  /** In the working tree (the untracked PEM file included). */
  current: Planted[];
  /** Only in the history. */
  old: Planted[];
  /** The commit that added the current tracked files. */
  currentCommit: string;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** 32 letters and digits with both in it (a Twilio API key secret). */
function alnum32(): string {
  const v = Array.from({ length: 32 }, () => ALNUM[randomInt(ALNUM.length)]).join('');
  return /[0-9]/.test(v) && /[A-Za-z]/.test(v) && !/^[0-9a-fA-F]+$/.test(v) ? v : alnum32();
}
/** Random hex with a digit and a letter in it (as real keys have). */
function mixedHex(bytes: number): string {
  const v = hex(bytes);
  return /[0-9]/.test(v) && /[a-f]/.test(v) ? v : mixedHex(bytes);
}
const b64url = (bytes: number) => randomBytes(bytes).toString('base64url');
const sendgridKey = () => `SG.${b64url(16).slice(0, 22)}.${b64url(32).slice(0, 43)}`;
function pemBody(): string[] {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  return pem.toString().trim().split('\n');
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=Scan Fixture', '-c', 'user.email=fixture@example.com', ...args],
    { cwd: dir, encoding: 'utf8' },
  )
    .toString()
    .trim();
}

function write(dir: string, file: string, text: string | Buffer): void {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), text);
}

/** Where `value` is in `text` (1-based line). */
function lineOf(text: string, value: string): number {
  const at = text.indexOf(value);
  if (at === -1) throw new Error('fixture: value not planted');
  return text.slice(0, at).split('\n').length;
}

function plant(text: string, file: string, found: [SecretKind, string][]): Planted[] {
  return found.map(([kind, value]) => ({ kind, file, line: lineOf(text, value), value }));
}

function twilioBlock(): { text: string; token: string; secret: string } {
  const token = mixedHex(16);
  const secret = alnum32();
  const text = [
    'export const twilio = {',
    `  accountSid: 'AC${hex(16)}',`,
    `  authToken: '${token}',`,
    `  apiKeySid: 'SK${hex(16)}',`,
    `  apiKeySecret: '${secret}',`,
    '};',
  ].join('\n');
  return { text, token, secret };
}

/** Look-alikes (next to an AC sid where that matters) and placeholders: none is a finding. */
export function lookalikes(): string {
  const png = randomBytes(3000).toString('base64');
  return [
    '# Release notes',
    `Account AC${hex(16)} was moved in commit ${hex(20)},`,
    `request id ${randomUUID()}, see ${randomUUID()}.`,
    `Short sha ${hex(20).slice(0, 12)} and SK${hex(16)} alone (a key id, no secret).`,
    '',
    '',
    '',
    '',
    `The archive's MD5 is ${hex(16)}.`,
    `![logo](data:image/png;base64,${png})`,
    'RETELL_API_KEY=key_xxxxxxxxxxxxxxxxxxxxxxxx',
    'EXOTEL_URL=https://<api_key>:<api_token>@api.exotel.com/v1/Accounts/<sid>/Calls/connect',
    'SENDGRID_API_KEY=SG.your-key-here',
    'TELVAULT_MASTER_KEY=$(telvault keygen)',
    'const header = "-----BEGIN PRIVATE KEY-----";',
    '',
  ].join('\n');
}

export function makeFixtureRepo(): FixtureRepo {
  const dir = mkdtempSync(join(tmpdir(), 'tv-scan-'));
  git(dir, 'init', '-q', '-b', 'main');

  // The old commit: every kind once, then deleted.
  const oldTw = twilioBlock();
  const [exoKey, exoToken, oldPem] = [mixedHex(20), mixedHex(20), pemBody()];
  const oldValues = {
    sendgrid: sendgridKey(),
    retell: `key_${mixedHex(14)}`,
    tvk: `tvk_${b64url(32)}`,
    tvr: `tvr_${b64url(32)}`,
    master: randomBytes(32).toString('base64'),
  };
  const oldText = [
    '// legacy settings',
    oldTw.text,
    `const sendgrid = '${oldValues.sendgrid}';`,
    `const retell = '${oldValues.retell}';`,
    `const exotel = { exotelApiKey: '${exoKey}', exotelApiToken: '${exoToken}' };`,
    `const token = '${oldValues.tvk}';`,
    `const root = '${oldValues.tvr}';`,
    `process.env.TELVAULT_MASTER_KEY='${oldValues.master}';`,
    `const pem = "${oldPem.join('\\n')}";`,
    '',
  ].join('\n');
  write(dir, 'legacy/settings.js', oldText);
  write(dir, 'config/.env.local', 'LOG_LEVEL=debug\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'legacy settings');
  const oldCommit = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'rm', '-q', '-r', 'legacy', 'config');
  git(dir, 'commit', '-q', '-m', 'remove legacy settings');
  const oldBody = oldPem[1] ?? '';
  const old = [
    ...plant(oldText, 'legacy/settings.js', [
      ['twilio-auth-token', oldTw.token],
      ['twilio-api-key-secret', oldTw.secret],
      ['sendgrid-api-key', oldValues.sendgrid],
      ['retell-api-key', oldValues.retell],
      ['exotel-api-key', exoKey],
      ['exotel-api-token', exoToken],
      ['telvault-token', oldValues.tvk],
      ['telvault-root-token', oldValues.tvr],
      ['telvault-master-key', oldValues.master],
    ]),
    {
      kind: 'private-key',
      file: 'legacy/settings.js',
      line: lineOf(oldText, oldBody),
      value: oldBody,
    },
    { kind: 'env-file', file: 'config/.env.local', line: 1, value: '' },
  ] satisfies Planted[];

  // The working tree: every kind once again (new values), look-alikes, ignored files.
  const tw = twilioBlock();
  const [key, token] = [mixedHex(20), mixedHex(20)];
  const values = {
    sendgrid: sendgridKey(),
    retell: `key_${mixedHex(14)}`,
    tvk: `tvk_${b64url(32)}`,
    tvr: `tvr_${b64url(32)}`,
    master: randomBytes(32).toString('base64'),
  };
  const settings = [
    '// settings',
    tw.text,
    `export const sendgridKey = '${values.sendgrid}';`,
    `export const retellKey = '${values.retell}';`,
    `export const exotelUrl = 'https://${key}:${token}@api.in.exotel.com/v1/Accounts/acme/Calls/connect.json';`,
    `export const tenantToken = '${values.tvk}';`,
    `export const rootToken = '${values.tvr}';`,
    '',
  ].join('\n');
  const conf = `# deploy\nTELVAULT_MASTER_KEY=${values.master}\n`;
  const pem = pemBody();
  const pemText = `${pem.join('\n')}\n`;
  write(dir, 'src/settings.ts', settings);
  write(dir, 'deploy/telvault.conf', conf);
  write(dir, '.env', 'LOG_LEVEL=info\n');
  write(dir, 'docs/lookalikes.md', lookalikes());
  write(dir, '.gitignore', 'private/\n*.local.txt\n');
  write(dir, 'private/.env', `SENDGRID_API_KEY=${sendgridKey()}\n`);
  write(dir, 'notes.local.txt', `tvk_${b64url(32)}\n`);
  write(
    dir,
    'image.bin',
    Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(`tvk_${b64url(32)}`)]),
  );
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'settings');
  const currentCommit = git(dir, 'rev-parse', 'HEAD');
  write(dir, 'certs/server-key.pem', pemText); // untracked, not ignored: scanned in the tree only
  const current = [
    ...plant(settings, 'src/settings.ts', [
      ['twilio-auth-token', tw.token],
      ['twilio-api-key-secret', tw.secret],
      ['sendgrid-api-key', values.sendgrid],
      ['retell-api-key', values.retell],
      ['exotel-api-key', key],
      ['exotel-api-token', token],
      ['telvault-token', values.tvk],
      ['telvault-root-token', values.tvr],
    ]),
    ...plant(conf, 'deploy/telvault.conf', [['telvault-master-key', values.master]]),
    { kind: 'private-key', file: 'certs/server-key.pem', line: 1, value: pem[1] ?? '' },
    { kind: 'env-file', file: '.env', line: 1, value: '' },
  ] satisfies Planted[];
  return { dir, current, old: old.map((p) => ({ ...p, commit: oldCommit })), currentCommit };
}
