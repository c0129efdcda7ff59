// What `telvault scan` prints: SARIF 2.1.0 with what code-scanning tools need, an allowlist that
// leaves out exactly the finding it names, and no secret (beyond its first 4 characters) in any
// format, stdout or stderr.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_KINDS } from '../../src/services/scan/index.js';
import { runCliWithEnv } from '../support/cli.js';
import { makeFixtureRepo, type FixtureRepo, type Planted } from './fixture-repo.js';

interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: { driver: { name: string; rules: { id: string; shortDescription: { text: string } }[] } };
    results: {
      ruleId: string;
      ruleIndex: number;
      message: { text: string };
      locations: {
        physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
      }[];
      partialFingerprints: Record<string, string>;
      properties?: { commit?: string };
    }[];
  }[];
}

let repo: FixtureRepo;
beforeAll(() => {
  repo = makeFixtureRepo();
});
afterAll(() => rmSync(repo.dir, { recursive: true, force: true }));

describe('--format sarif', () => {
  it('is SARIF 2.1.0 with driver, rules, and each result located by file and line', async () => {
    const r = await runCliWithEnv(['scan', repo.dir, '--history', '--format', 'sarif'], {});
    expect(r.code).toBe(1);
    const log = JSON.parse(r.out) as SarifLog;
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-schema-2\.1\.0\.json$/);
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0] as SarifLog['runs'][number];
    expect(run.tool.driver.name).toBe('telvault-scan');
    expect(run.tool.driver.rules.map((x) => x.id)).toEqual([...SECRET_KINDS]);
    for (const rule of run.tool.driver.rules) expect(rule.shortDescription.text).not.toBe('');
    const all = [...repo.current, ...repo.old];
    expect(run.results.length).toBeGreaterThanOrEqual(all.length);
    for (const res of run.results) {
      expect(run.tool.driver.rules[res.ruleIndex]?.id).toBe(res.ruleId);
      expect(res.message.text).not.toBe('');
      expect(res.locations).toHaveLength(1);
      const loc = res.locations[0]?.physicalLocation;
      expect(loc?.artifactLocation.uri).toMatch(/^[^/]/); // relative to the repository root
      expect(Number.isInteger(loc?.region.startLine) && (loc?.region.startLine ?? 0) >= 1).toBe(
        true,
      );
      expect(Object.values(res.partialFingerprints)[0]).toMatch(/^[0-9a-f]{64}$/);
    }
    const located = run.results.map(
      (res) =>
        `${res.ruleId} ${res.locations[0]?.physicalLocation.artifactLocation.uri}:${res.locations[0]?.physicalLocation.region.startLine}${res.properties?.commit === undefined ? '' : ` @${res.properties.commit}`}`,
    );
    for (const p of all) {
      expect(located).toContain(
        `${p.kind} ${p.file}:${p.line}${p.commit === undefined ? '' : ` @${p.commit}`}`,
      );
    }
  });
});

describe('--allowlist', () => {
  it('leaves out exactly the finding whose fingerprint it lists', async () => {
    const before = await runCliWithEnv(['scan', repo.dir, '--format', 'json'], {});
    const findings = (
      JSON.parse(before.out) as { findings: { kind: string; fingerprint: string }[] }
    ).findings;
    const excused = findings.find((f) => f.kind === 'sendgrid-api-key');
    const file = join(repo.dir, '..', `${repo.dir.split('/').pop() ?? ''}.allow`);
    writeFileSync(file, `# test fixture\n\n${excused?.fingerprint}  # the fixture key\n`);
    try {
      const after = await runCliWithEnv(
        ['scan', repo.dir, '--format', 'json', '--allowlist', file],
        {},
      );
      const parsed = JSON.parse(after.out) as {
        findings: { fingerprint: string }[];
        summary: { allowlisted: number };
      };
      expect(parsed.findings).toEqual(findings.filter((f) => f !== excused));
      expect(parsed.summary.allowlisted).toBe(1);
      expect(after.code).toBe(1);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('refuses a line that is not a fingerprint by its number, without echoing it (exit 2)', async () => {
    const planted = repo.current.find((p) => p.kind === 'sendgrid-api-key') as Planted;
    const file = join(repo.dir, '..', `${repo.dir.split('/').pop() ?? ''}.bad-allow`);
    writeFileSync(file, `# ok\n${planted.value}\n`);
    try {
      const r = await runCliWithEnv(['scan', repo.dir, '--allowlist', file], {});
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/allowlist line 2: must be a fingerprint \(64 hex digits\)/);
      expect(r.all).not.toContain(planted.value.slice(4));
    } finally {
      rmSync(file, { force: true });
    }
  });
});

describe('canary: no format ever prints more of a secret than its first 4 characters', () => {
  it.each(['text', 'json', 'sarif'])('%s, working tree and history', async (format) => {
    const r = await runCliWithEnv(['scan', repo.dir, '--history', '--format', format], {});
    expect(r.code).toBe(1);
    const secrets = [...repo.current, ...repo.old].filter((p) => p.value !== '');
    expect(secrets.length).toBe(20);
    // Fingerprints (64 hex) and commit ids (40 hex) are printed on purpose; without them, no 6
    // characters in a row of any secret may appear (the 4 shown are followed by "…").
    const printed = r.all.replace(/\b[0-9a-f]{64}\b|\b[0-9a-f]{40}\b/g, '#');
    // And what stands before each "…" (the shown part) is at most 4 characters.
    for (const m of printed.matchAll(/([A-Za-z0-9+/=_.-]*)…/g))
      expect(m[1]?.length).toBeLessThanOrEqual(4);
    for (const p of secrets) {
      for (let i = 0; i + 6 <= p.value.length; i++) {
        expect(printed).not.toContain(p.value.slice(i, i + 6));
      }
    }
  });
});
