// The detectors' edges: what "next to a sid" means (3 lines), placeholders and look-alikes, PEM
// headers without key material, and files skipped for their size.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findSecrets, isEnvFile, scanSecrets } from '../../src/services/scan/index.js';

const hex = (n: number) => randomBytes(n).toString('hex');
/** Random hex that is not all digits (an all-digit run is a number, not a token). */
const token = () => `f${hex(16).slice(1)}`;
const kinds = (text: string) => findSecrets(text).map((m) => `${m.kind}@${m.line}`);

describe('findSecrets', () => {
  it('reports 32 hex as a Twilio auth token within 3 lines of an AC sid, not 4', () => {
    const sid = `AC${hex(16)}`;
    expect(kinds(`${sid}\n\n\n${token()}`)).toEqual(['twilio-auth-token@3']);
    expect(kinds(`${sid}\n\n\n\n${token()}`)).toEqual([]);
    expect(kinds(`${token()}\n${sid}`)).toEqual(['twilio-auth-token@0']);
  });

  it('does not take the hex of a sid, a 40-hex sha or a dashless run inside base64 for a token', () => {
    const text = `AC${hex(16)} SK${hex(16)} ${hex(20)} ${randomBytes(300).toString('base64')}`;
    expect(kinds(text)).toEqual([]);
  });

  it('reports the Retell key_ form with letters only near "retell", and not a placeholder', () => {
    const loose = `key_Ab3${hex(10)}XyZ`;
    expect(kinds(`const a = '${loose}';`)).toEqual([]);
    expect(kinds(`// retell\nconst a = '${loose}';`)).toEqual(['retell-api-key@1']);
    expect(kinds('RETELL_API_KEY=key_xxxxxxxxxxxxxxxxxxxxxxxxxxxx')).toEqual([]);
    expect(kinds('row.key_version_number_of_the_tenant_key')).toEqual([]);
  });

  it('takes a value of fewer than 6 distinct characters for a placeholder', () => {
    expect(kinds(`key_${'f'.repeat(28)}`)).toEqual([]);
    expect(kinds(`AC${hex(16)}\ntoken=${'0'.repeat(32)}`)).toEqual([]);
    expect(kinds(`SG.${'a'.repeat(22)}.${'b'.repeat(43)}`)).toEqual([]);
    expect(kinds(`key_${hex(14)}`)).toEqual(['retell-api-key@0']);
  });

  it('labels an Exotel token by its URL or setting, not by an AC or SK sid nearby', () => {
    const [key, tok] = [token(), token()];
    const url = `https://${key}:${tok}@api.in.exotel.com/v1`;
    expect(kinds(`sid=AC${hex(16)}\n${url}`)).toEqual(['exotel-api-key@1', 'exotel-api-token@1']);
    expect(kinds(`sid=SK${hex(16)}\n${url}`)).toEqual(['exotel-api-key@1', 'exotel-api-token@1']);
    expect(kinds(`AC${hex(16)}\nexotelApiToken: '${tok}'`)).toEqual(['exotel-api-token@1']);
  });

  // Every shape on its own line, inside the context of every other detector (an AC and an SK sid,
  // the words retell and exotel, within 3 lines): each value keeps its own kind, once.
  it("labels each shape as its own kind among the others' contexts", () => {
    const shapes: [string, string][] = [
      ['twilio-auth-token', `authToken = '${token()}'`],
      ['sendgrid-api-key', `sg = 'SG.${token()}.${randomBytes(32).toString('base64url')}'`],
      ['retell-api-key', `retellKey = 'key_${hex(16)}'`],
      ['exotel-api-token', `exotelToken = '${token()}'`],
      ['exotel-api-key', `exotelKey = '${token()}'`],
      ['telvault-token', `tvk_${randomBytes(32).toString('base64url')}`],
      ['telvault-root-token', `tvr_${randomBytes(32).toString('base64url')}`],
      ['telvault-master-key', `TELVAULT_MASTER_KEY=${randomBytes(32).toString('base64')}`],
    ];
    const context = `AC${hex(16)} SK${hex(16)} retell exotel`;
    for (const [kind, line] of shapes) {
      expect(kinds(`${context}\n${line}\n${context}`), kind).toEqual([`${kind}@1`]);
    }
    const exotelUrl = `https://${token()}:${token()}@api.exotel.com/v1/Accounts/acme`;
    expect(kinds(`${context}\n${exotelUrl}`)).toEqual(['exotel-api-key@1', 'exotel-api-token@1']);
  });

  it('needs key material after a PEM header', () => {
    expect(kinds('-----BEGIN RSA PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----')).toEqual([]);
    const body = randomBytes(48).toString('base64');
    expect(kinds(`x\n-----BEGIN RSA PRIVATE KEY-----\n${body}\n`)).toEqual(['private-key@1']);
    expect(kinds(`k: "-----BEGIN OPENSSH PRIVATE KEY-----\\n${body}\\n"`)).toEqual([
      'private-key@0',
    ]);
  });

  it('reports a master key only when it is 32 bytes of base64', () => {
    expect(kinds(`TELVAULT_MASTER_KEY=${randomBytes(32).toString('base64')}`)).toEqual([
      'telvault-master-key@0',
    ]);
    expect(kinds(`TELVAULT_MASTER_KEY=${randomBytes(24).toString('base64')}`)).toEqual([]);
  });
});

describe('isEnvFile', () => {
  it.each([
    ['.env', true],
    ['app/.env.production', true],
    ['.env.example', false],
    ['.env.sample', false],
    ['env.ts', false],
    ['.envrc', false],
  ])('%s: %s', (path, expected) => expect(isEnvFile(path)).toBe(expected));
});

describe('scanSecrets', () => {
  it('skips (and counts) files above the size limit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tv-scan-size-'));
    try {
      writeFileSync(
        join(dir, 'big.txt'),
        `tvk_${randomBytes(32).toString('base64url')}\n`.repeat(40),
      );
      const r = await scanSecrets({ path: dir, maxFileBytes: 1000 });
      expect(r.findings).toEqual([]);
      expect(r.skippedLarge).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
