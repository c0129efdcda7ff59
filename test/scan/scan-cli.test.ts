// `telvault scan` on a fixture repository made here: each kind of secret once in the working tree
// and once in an old, deleted commit, found by the mode that should find it, in its file and line;
// look-alikes and ignored files not reported; exit codes 0 / 1 / 2.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_KINDS } from '../../src/services/scan/index.js';
import { runCliWithEnv } from '../support/cli.js';
import { lookalikes, makeFixtureRepo, type FixtureRepo, type Planted } from './fixture-repo.js';

interface JsonFinding {
  kind: string;
  file: string;
  line: number;
  commit?: string;
  preview: string;
  fingerprint: string;
}

const where = (f: { kind: string; file: string; line: number; commit?: string | undefined }) =>
  `${f.kind} ${f.file}:${f.line}${f.commit === undefined ? '' : ` @${f.commit}`}`;

async function scanJson(...args: string[]) {
  const r = await runCliWithEnv(['scan', ...args, '--format', 'json'], {});
  const parsed = JSON.parse(r.out) as { findings: JsonFinding[]; summary: Record<string, number> };
  return { ...r, ...parsed };
}

let repo: FixtureRepo;
beforeAll(() => {
  repo = makeFixtureRepo();
});
afterAll(() => rmSync(repo.dir, { recursive: true, force: true }));

describe('telvault scan on the working tree', () => {
  it('finds each kind once, where it was planted, and nothing else (exit 1)', async () => {
    const r = await scanJson(repo.dir);
    expect(r.code).toBe(1);
    expect(r.findings.map(where).sort()).toEqual(repo.current.map(where).sort());
    expect(new Set(r.findings.map((f) => f.kind))).toEqual(new Set(SECRET_KINDS));
    for (const f of r.findings) {
      const planted = repo.current.find((p) => where(p) === where(f)) as Planted;
      expect(f.preview).toBe(planted.value.slice(0, 4));
    }
  });

  it('skips the binary file and does not read ignored files', async () => {
    const r = await scanJson(repo.dir);
    expect(r.summary['skippedBinary']).toBe(1);
    expect(
      r.findings.some((f) => f.file.startsWith('private/') || f.file.endsWith('.local.txt')),
    ).toBe(false);
  });

  it('scans a directory that is not a git repository (every file; no .env rule)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tv-scan-plain-'));
    try {
      const planted = repo.current.find((p) => p.kind === 'telvault-token') as Planted;
      writeFileSync(join(dir, 'a.txt'), `x\ntoken=${planted.value}\n`);
      writeFileSync(join(dir, '.env'), 'A=1\n');
      const r = await scanJson(dir);
      expect(r.code).toBe(1);
      expect(r.findings.map(where)).toEqual(['telvault-token a.txt:2']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('telvault scan --history', () => {
  it('finds each kind in the old commit that added it, and the committed current ones', async () => {
    const r = await scanJson(repo.dir, '--history');
    expect(r.code).toBe(1);
    const committedNow = repo.current
      .filter((p) => p.file !== 'certs/server-key.pem') // untracked: in the tree only
      .map((p) => ({ ...p, commit: repo.currentCommit }));
    const expected = [...repo.current, ...repo.old, ...committedNow].map(where).sort();
    expect(r.findings.map(where).sort()).toEqual(expected);
    expect(new Set(repo.old.map((p) => p.kind))).toEqual(new Set(SECRET_KINDS));
    expect(r.summary['commits']).toBe(3);
  });
});

describe('look-alikes', () => {
  it('a git sha, an MD5 away from an AC sid, UUIDs, a base64 image and placeholders: exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tv-scan-clean-'));
    try {
      writeFileSync(join(dir, 'notes.md'), lookalikes());
      const r = await runCliWithEnv(['scan', dir], {});
      expect(r.out).toMatch(/^no secrets found in 1 file\(s\)/);
      expect(r.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bad usage exits 2 and names what is wrong', () => {
  it.each([
    [['--format', 'xml'], /--format/],
    [['/nonexistent/tv-scan'], /path: \/nonexistent\/tv-scan is not a directory/],
  ])('scan %j', async (args, message) => {
    const r = await runCliWithEnv(['scan', ...args], {});
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('--history outside a git work tree', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tv-scan-nogit-'));
    try {
      const r = await runCliWithEnv(['scan', dir, '--history'], {});
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--history: .* is not in a git work tree/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
