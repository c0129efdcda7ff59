// The OpenAPI document the server serves holds to the standard: it passes `redocly lint` with the
// recommended ruleset and no error (the CLI from the dev dependencies, run offline: telemetry and
// the update check off, and any socket it opens refused and reported), uses only standard formats,
// declares `security: []` on the public routes, and declares the Idempotency-Key header on every
// route that takes one (required where it is). The document reads no storage: SQLite only.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

type Json = Record<string, unknown>;
interface Operation {
  operationId: string;
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean }[];
}

const require = createRequire(import.meta.url);
const REDOCLY = join(dirname(require.resolve('@redocly/cli/package.json')), 'bin', 'cli.js');

/**
 * Loaded into the CLI's process: every outgoing connection is refused and named on stderr, so a
 * call the CLI tries (and might swallow) is seen by the test.
 */
const NO_NETWORK = `
const net = require('node:net');
const dns = require('node:dns');
const refuse = (what) => {
  process.stderr.write('NETWORK ATTEMPT ' + what + '\\n');
  throw new Error('network refused in this test');
};
net.Socket.prototype.connect = function (...args) {
  const o = args[0];
  return refuse(typeof o === 'object' && o !== null ? String(o.host ?? o.path) : String(args[1] ?? o));
};
dns.lookup = (host) => refuse('dns ' + host);
dns.promises.lookup = async (host) => refuse('dns ' + host);
`;

/** JSON Schema 2020-12 and the OpenAPI format registry. */
const STANDARD_FORMATS = new Set([
  'date-time',
  'date',
  'time',
  'duration',
  'email',
  'idn-email',
  'hostname',
  'idn-hostname',
  'ipv4',
  'ipv6',
  'uri',
  'uri-reference',
  'iri',
  'iri-reference',
  'uuid',
  'uri-template',
  'json-pointer',
  'relative-json-pointer',
  'regex',
  'int32',
  'int64',
  'float',
  'double',
  'password',
  'byte',
  'binary',
]);

function formatsIn(node: unknown, found: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const n of node) formatsIn(n, found);
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'format' && typeof v === 'string') found.add(v);
      else formatsIn(v, found);
    }
  }
  return found;
}

function operations(doc: Json): Operation[] {
  const paths = doc['paths'] as Record<string, Record<string, Operation>>;
  return Object.values(paths).flatMap((p) => Object.values(p));
}

describe('the OpenAPI document', () => {
  let s: TestServer;
  let doc: Json;
  let text = '';

  beforeAll(async () => {
    s = await startTestServer('sqlite', { logLevel: 'silent' });
    const r = await s.request('GET', '/openapi.json');
    expect(r.status).toBe(200);
    text = r.text;
    doc = r.json as Json;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('passes redocly lint with the recommended ruleset: 0 errors, offline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'telvault-openapi-'));
    try {
      writeFileSync(join(dir, 'openapi.json'), text);
      writeFileSync(join(dir, 'redocly.yaml'), 'extends:\n  - recommended\ntelemetry: off\n');
      writeFileSync(join(dir, 'no-network.cjs'), NO_NETWORK);
      const run = spawnSync(
        process.execPath,
        [
          '--require',
          join(dir, 'no-network.cjs'),
          REDOCLY,
          'lint',
          join(dir, 'openapi.json'),
          '--config',
          join(dir, 'redocly.yaml'),
          '--format',
          'json',
        ],
        {
          cwd: dir,
          encoding: 'utf8',
          timeout: 50_000,
          env: {
            PATH: process.env['PATH'] ?? '',
            HOME: dir,
            REDOCLY_TELEMETRY: 'off',
            REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
            NO_COLOR: '1',
          },
        },
      );
      expect(run.error).toBeUndefined();
      expect(run.stderr).not.toContain('NETWORK ATTEMPT');
      const start = run.stdout.indexOf('{');
      expect(start, run.stdout + run.stderr).toBeGreaterThanOrEqual(0);
      const report = JSON.parse(run.stdout.slice(start)) as {
        totals: { errors: number; warnings: number };
        problems: { ruleId: string; severity: string; message: string; location: unknown }[];
      };
      const errors = report.problems.filter((p) => p.severity === 'error');
      expect(errors, JSON.stringify(errors, null, 1)).toEqual([]);
      expect(report.totals.errors).toBe(0);
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uses only standard formats', () => {
    const found = formatsIn(doc, new Set());
    expect(found.size).toBeGreaterThan(0);
    expect([...found].filter((f) => !STANDARD_FORMATS.has(f))).toEqual([]);
  });

  it('declares security: [] on the public routes and the bearer token on every other', () => {
    const ops = operations(doc);
    const pub = ops.filter((o) => Array.isArray(o.security) && o.security.length === 0);
    expect(pub.map((o) => o.operationId).sort()).toEqual(['healthz', 'index', 'readyz']);
    for (const o of ops.filter((x) => !pub.includes(x))) {
      expect(o.security, o.operationId).toEqual([{ bearer: [] }]);
    }
  });

  it('declares the Idempotency-Key header wherever it is taken, required where it is', () => {
    const declared = new Map<string, boolean>();
    for (const o of operations(doc)) {
      const p = o.parameters?.find((x) => x.name.toLowerCase() === 'idempotency-key');
      if (p === undefined) continue;
      expect(p.in, o.operationId).toBe('header');
      declared.set(o.operationId, p.required === true);
    }
    expect(Object.fromEntries(declared)).toEqual({
      purchasePhone: true,
      createCall: false,
      createMessage: false,
      createEmail: false,
      rotateTenantKey: false,
    });
  });
});
