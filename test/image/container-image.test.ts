// The container image: builds the repository's Containerfile with `buildah bud --isolation chroot`
// on bases made here from Debian's packages and this Node (test-bases.ts; CI pulls from no image
// registry), then starts the image's own ENTRYPOINT + CMD with `buildah run --isolation chroot`
// on 127.0.0.1 and checks what a platform relies on: /healthz and the image's HEALTHCHECK, a tenant
// and credential round trip, a server process that is not root, a root file system it never writes
// (only the /data volume), the data in the volume surviving the container, SIGTERM ending it with
// exit code 0, and the master key from a mounted secret file or a PKCS#11 token.
//
// Needs buildah, debootstrap and root; elsewhere it is skipped with a warning (under CI=true it
// fails instead). Prints the image's size and the start-up time to a healthy /healthz.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/own-redis.js';
import { hsmAvailable, SOFTHSM_MODULE } from '../hsm/softhsm.js';
import {
  buildah,
  commandLine,
  descendants,
  imageTestProblems,
  mustRun,
  onCi,
  parentOf,
  processUids,
  runTool,
} from './buildah.js';
import { ensureTestBases, type TestBases } from './test-bases.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const APP_UID = 10001;

const problems = imageTestProblems();
if (problems.length > 0 && !onCi) {
  console.warn(`SKIPPING the container image test (test/image): ${problems.join('; ')}`);
}
const canRun = problems.length === 0 || onCi;

const log = (line: string) => console.log(`image test: ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ImageConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  ExposedPorts?: Record<string, unknown>;
  Volumes?: Record<string, unknown>;
  StopSignal?: string;
  Healthcheck?: { Test?: string[] };
}

interface Running {
  url: string;
  port: number;
  /** The server process (node) inside the container. */
  pid: number;
  /** From `buildah run` to the first 200 from /healthz. */
  startupMs: number;
  output(): string;
  /** Resolves to `buildah run`'s exit code. */
  exited: Promise<number | null>;
}

describe.skipIf(!canRun)('container image (Containerfile built and run with buildah)', () => {
  const image = `localhost/telvault-image-test:${process.pid}`;
  // Made in buildImage: a skipped run leaves nothing behind.
  let work = '';
  const containers: string[] = [];
  const children: ChildProcess[] = [];
  /** Every process seen inside a container, to kill any left behind (a server orphaned by a failure). */
  const spawned: number[] = [];
  const rootToken = `tvr_${randomBytes(32).toString('base64url')}`;
  const masterKey = randomBytes(32).toString('base64');
  const dataDir = () => join(work, 'data');
  const keyFile = () => join(work, 'secrets', 'master_key');
  let bases: TestBases;
  let config: ImageConfig = {};
  /** `-v` for every world-writable directory of the image: read-only and empty while it runs. */
  let readOnlyMasks: string[] = [];
  let tenantId = '';
  let tenantToken = '';
  const sendgridKey = `SG.${randomBytes(10).toString('hex')}.${randomBytes(20).toString('hex')}`;

  // A failure to build is each test's failure (a failed hook alone would leave them "skipped").
  let setupError: Error | undefined;
  const built = (): void => {
    if (setupError !== undefined) throw setupError;
  };

  beforeAll(async () => {
    try {
      await buildImage();
    } catch (err) {
      setupError = err instanceof Error ? err : new Error(String(err));
    }
  }, 1_200_000);

  async function buildImage(): Promise<void> {
    if (problems.length > 0)
      throw new Error(`the container image test cannot run here: ${problems.join('; ')}`);
    work = mkdtempSync(join(tmpdir(), 'telvault-image-test-'));
    const started = performance.now();
    bases = await ensureTestBases(log);
    const t = performance.now();
    await buildah(
      [
        'bud',
        '--isolation',
        'chroot',
        // The docker format keeps HEALTHCHECK (OCI image configs have no field for it).
        '--format',
        'docker',
        '--layers=false',
        '--pull=never',
        '--force-rm',
        '--build-arg',
        `BUILDER_IMAGE=${bases.builder}`,
        '--build-arg',
        `RUNTIME_IMAGE=${bases.runtime}`,
        '-f',
        join(REPO_ROOT, 'Containerfile'),
        '-t',
        image,
        REPO_ROOT,
      ],
      { timeoutMs: 900_000 },
    );
    log(`buildah bud: ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const info = JSON.parse(await buildah(['inspect', '--type', 'image', image])) as {
      Docker: { config: ImageConfig };
    };
    config = info.Docker.config;
    const size = async (name: string) =>
      (await buildah(['images', '--format', '{{.Size}}', name])).trim();
    log(
      `image size ${await size(image)} (its base ${bases.runtime}: ${await size(bases.runtime)}, ` +
        `Node ${bases.nodeVersion}); bases ${bases.reused ? 'reused' : 'made'}; ` +
        `set-up ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    mkdirSync(dataDir(), { mode: 0o700 });
    chownSync(dataDir(), APP_UID, APP_UID);
    mkdirSync(join(work, 'secrets'));
    writeFileSync(keyFile(), `${masterKey}\n`, { mode: 0o400 });
    chownSync(keyFile(), APP_UID, APP_UID);
    mkdirSync(join(work, 'empty'));
  }

  afterAll(async () => {
    // A server left running by a failed test (or orphaned by a shell in front of it) first, so
    // that `buildah run` ends by itself and cleans up after itself.
    for (const pid of spawned) {
      if (commandLine(pid).includes('/app/bin/telvault.js')) process.kill(pid, 'SIGKILL');
    }
    for (const child of children) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      await Promise.race([new Promise((resolve) => child.once('exit', resolve)), sleep(10_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    for (const ctr of containers) await runTool('buildah', ['rm', ctr]);
    if (work !== '') {
      await runTool('buildah', ['rmi', image]);
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);

  async function newContainer(): Promise<{ ctr: string; mnt: string }> {
    const ctr = (await buildah(['from', '--pull=never', image])).trim();
    containers.push(ctr);
    return { ctr, mnt: (await buildah(['mount', ctr])).trim() };
  }

  /** Paths (from the image's root) of everything owned by the service user's uid or gid. */
  const ownedByApp = async (mnt: string) =>
    (
      await mustRun('find', [
        mnt,
        '-xdev',
        '(',
        '-uid',
        String(APP_UID),
        '-o',
        '-gid',
        String(APP_UID),
        ')',
        '-printf',
        '/%P\\n',
      ])
    )
      .split('\n')
      .filter((l) => l !== '')
      .sort();

  /** Starts the image's ENTRYPOINT + CMD (or `args` after the entrypoint) in `ctr`. */
  async function start(
    ctr: string,
    env: Record<string, string>,
    volumes: readonly string[],
  ): Promise<Running> {
    const port = await freePort();
    const entry = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
    const child = spawn(
      'buildah',
      [
        'run',
        '--isolation',
        'chroot',
        ...volumes.flatMap((v) => ['-v', v]),
        ...Object.entries({
          ...env,
          TELVAULT_HOST: '127.0.0.1',
          TELVAULT_PORT: String(port),
        }).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
        ctr,
        '--',
        ...entry,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    const begun = performance.now();
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`the container exited early:\n${out}`);
      if (i > 600) throw new Error(`no healthy /healthz after 60 s:\n${out}`);
      const ok = await fetch(`${url}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      await sleep(100);
    }
    const startupMs = performance.now() - begun;
    // The container's first process: what buildah's chroot runtime started (PID 1 under an OCI
    // runtime), which `docker stop` signals. With an exec-form ENTRYPOINT it is node itself.
    const pid = descendants(child.pid ?? -1).find(
      (p) => basename(commandLine(parentOf(p))[0] ?? '') === 'buildah-chroot-exec',
    );
    spawned.push(...descendants(child.pid ?? -1));
    if (pid === undefined) throw new Error('no process started by buildah-chroot-exec');
    return { url, port, pid, startupMs, output: () => out, exited };
  }

  async function call(
    base: string,
    method: string,
    path: string,
    token: string,
    body?: unknown,
  ): Promise<{ status: number; text: string; json: Record<string, unknown> }> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return {
      status: res.status,
      text,
      json: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>,
    };
  }

  /** The image's HEALTHCHECK command, run inside `ctr` against `port`; resolves to its exit code. */
  async function healthcheck(ctr: string, port: number): Promise<number> {
    const test = config.Healthcheck?.Test ?? [];
    expect(test[0]).toBe('CMD');
    const r = await runTool('buildah', [
      'run',
      '--isolation',
      'chroot',
      '-e',
      `TELVAULT_PORT=${port}`,
      ctr,
      '--',
      ...test.slice(1),
    ]);
    return r.code;
  }

  async function stop(run: Running): Promise<number | null> {
    process.kill(run.pid, 'SIGTERM');
    return run.exited;
  }

  it('runs `serve` as uid 10001 from an exec-form entrypoint, with /data as its volume and no secret inside', () => {
    built();
    expect(config.User).toBe(`${APP_UID}:${APP_UID}`);
    expect(config.Entrypoint).toEqual(['node', '/app/bin/telvault.js']);
    expect(config.Cmd).toEqual(['serve']);
    expect(Object.keys(config.Volumes ?? {})).toEqual(['/data']);
    expect(Object.keys(config.ExposedPorts ?? {})).toEqual(['8080/tcp']);
    expect(config.StopSignal).toBe('SIGTERM');
    const env = Object.fromEntries(
      (config.Env ?? []).map((e): [string, string] => [
        e.split('=')[0] ?? '',
        e.slice(e.indexOf('=') + 1),
      ]),
    );
    expect(env).toMatchObject({ TELVAULT_DATA_DIR: '/data', TELVAULT_HOST: '0.0.0.0' });
    expect(Object.keys(env).filter((k) => /MASTER_KEY|ROOT_TOKEN|PASSWORD|SECRET/.test(k))).toEqual(
      [],
    );
  });

  it('carries production dependencies, dist/, bin/ and package.json only, owned by root', async () => {
    built();
    const { mnt } = await newContainer();
    const app = join(mnt, 'app');
    expect(readdirSync(app).sort()).toEqual(['bin', 'dist', 'node_modules', 'package.json']);
    const modules = readdirSync(join(app, 'node_modules'));
    for (const dev of ['vitest', 'typescript', 'vite', 'eslint', 'tsx', 'prettier'])
      expect(modules, dev).not.toContain(dev);
    for (const prod of ['fastify', 'better-sqlite3', 'pkcs11js', 'kysely'])
      expect(modules, prod).toContain(prod);
    expect(existsSync(join(app, 'node_modules/pkcs11js/build/Release/pkcs11.node'))).toBe(true);
    expect(existsSync(join(app, 'dist/web/index.html'))).toBe(true);
    for (const path of ['', 'dist', 'node_modules', 'package.json']) {
      const st = statSync(join(app, path));
      expect(st.uid, path).toBe(0);
      expect(st.mode & 0o022, path).toBe(0);
    }
    // The service user owns only /data in the whole image.
    expect(await ownedByApp(mnt)).toEqual(['/data']);
  });

  it('serves /healthz, the HEALTHCHECK and a tenant + credential round trip as uid 10001, writes only the volume, and exits 0 on SIGTERM', async () => {
    built();
    const { ctr, mnt } = await newContainer();
    // A read-only root file system, as `--read-only` gives it: the service user can write no
    // path of the image (it owns none but /data), and every world-writable directory is
    // mounted read-only and empty for the run.
    const worldWritable = (
      await mustRun('find', [mnt, '-xdev', '-type', 'd', '-perm', '-o+w', '-printf', '/%P\\n'])
    )
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('/dev'));
    expect(worldWritable.length).toBeGreaterThan(0);
    readOnlyMasks = worldWritable.map((dir) => `${join(work, 'empty')}:${dir}:ro`);

    const run = await start(
      ctr,
      {
        TELVAULT_MASTER_KEY_FILE: '/run/secrets/telvault_master_key',
        TELVAULT_ROOT_TOKEN: rootToken,
      },
      [`${dataDir()}:/data`, `${keyFile()}:/run/secrets/telvault_master_key:ro`, ...readOnlyMasks],
    );
    log(`start-up to a healthy /healthz (new database): ${Math.round(run.startupMs)} ms`);
    // node is the container's first process (exec form): it gets the stop signal itself.
    const argv = commandLine(run.pid);
    expect([basename(argv[0] ?? ''), ...argv.slice(1)]).toEqual([
      ...(config.Entrypoint ?? []),
      ...(config.Cmd ?? []),
    ]);
    expect(processUids(run.pid)).toEqual([APP_UID, APP_UID, APP_UID, APP_UID]);
    expect(await healthcheck(ctr, run.port)).toBe(0);
    expect((await call(run.url, 'GET', '/readyz', rootToken)).json).toEqual({ status: 'ready' });

    const tenant = await call(run.url, 'POST', '/v1/tenants', rootToken, { name: 'image' });
    expect(tenant.status).toBe(201);
    tenantId = String(tenant.json['id']);
    const token = await call(run.url, 'POST', `/v1/tenants/${tenantId}/tokens`, rootToken, {
      name: 'image-test',
      scopes: ['credentials:write', 'credentials:read'],
    });
    expect(token.status).toBe(201);
    tenantToken = String(token.json['token']);
    const path = `/v1/tenants/${tenantId}/credentials/sendgrid`;
    const put = await call(run.url, 'PUT', path, tenantToken, {
      apiKey: sendgridKey,
      fromEmail: 'ops@example.com',
    });
    expect(put.status).toBe(200);
    const got = await call(run.url, 'GET', path, tenantToken);
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({
      provider: 'sendgrid',
      fromEmail: 'ops@example.com',
      apiKey: { set: true, last4: sendgridKey.slice(-4) },
    });
    expect(got.text).not.toContain(sendgridKey);

    expect(await stop(run)).toBe(0);
    expect(await healthcheck(ctr, run.port)).not.toBe(0);
    // The database is in the volume, the service user's; nothing of it in the container.
    expect(readdirSync(dataDir())).toContain('telvault.db');
    expect(statSync(join(dataDir(), 'telvault.db')).uid).toBe(APP_UID);
    expect(await ownedByApp(mnt)).toEqual(['/data']);
    for (const canary of [rootToken, masterKey, sendgridKey, tenantToken])
      expect(run.output()).not.toContain(canary);
  });

  it('serves the same data from the volume in a new container', async () => {
    built();
    expect(tenantId).not.toBe('');
    const { ctr } = await newContainer();
    const run = await start(
      ctr,
      {
        TELVAULT_MASTER_KEY_FILE: '/run/secrets/telvault_master_key',
        TELVAULT_ROOT_TOKEN: rootToken,
      },
      [`${dataDir()}:/data`, `${keyFile()}:/run/secrets/telvault_master_key:ro`, ...readOnlyMasks],
    );
    log(`start-up to a healthy /healthz (existing database): ${Math.round(run.startupMs)} ms`);
    const got = await call(
      run.url,
      'GET',
      `/v1/tenants/${tenantId}/credentials/sendgrid`,
      tenantToken,
    );
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ apiKey: { set: true, last4: sendgridKey.slice(-4) } });
    expect(await stop(run)).toBe(0);
  });

  it.skipIf(!hsmAvailable)(
    'takes the master key from a PKCS#11 token mounted into the container (SoftHSM2)',
    async () => {
      built();
      const { ctr, mnt } = await newContainer();
      const hsm = join(work, 'hsm');
      const pin = randomBytes(8).toString('hex');
      mkdirSync(join(hsm, 'tokens'), { recursive: true });
      writeFileSync(join(hsm, 'pin'), `${pin}\n`);
      writeFileSync(join(hsm, 'host.conf'), `directories.tokendir = ${hsm}/tokens\n`);
      writeFileSync(join(hsm, 'softhsm2.conf'), 'directories.tokendir = /hsm/tokens\n');
      await mustRun(
        'softhsm2-util',
        ['--init-token', '--free', '--label', 'tv-main', '--so-pin', 'so-secret', '--pin', pin],
        { env: { ...process.env, SOFTHSM2_CONF: join(hsm, 'host.conf') } },
      );
      await mustRun('chown', ['-R', `${APP_UID}:${APP_UID}`, hsm]);
      chmodSync(join(hsm, 'pin'), 0o400);
      // The vendor's module goes in with the libraries it needs that the image lacks.
      const libs = [`${SOFTHSM_MODULE}:/opt/pkcs11/libsofthsm2.so:ro`];
      for (const line of (await mustRun('ldd', [SOFTHSM_MODULE])).split('\n')) {
        const m = /^\s*(\S+) => (\/\S+)/.exec(line);
        if (m?.[1] === undefined || m[2] === undefined) continue;
        const inImage = ['usr/lib/x86_64-linux-gnu', 'lib/x86_64-linux-gnu', 'usr/lib', 'lib']
          .map((d) => join(mnt, d, m[1] ?? ''))
          .some((p) => existsSync(p));
        if (!inImage) libs.push(`${m[2]}:/opt/pkcs11/${m[1]}:ro`);
      }
      const uri =
        'pkcs11:token=tv-main;object=telvault-master' +
        '?module-path=/opt/pkcs11/libsofthsm2.so&pin-source=file:/hsm/pin';
      const hsmEnv = { SOFTHSM2_CONF: '/hsm/softhsm2.conf', LD_LIBRARY_PATH: '/opt/pkcs11' };
      const volumes = [`${hsm}:/hsm`, ...libs, ...readOnlyMasks];
      const keygen = await runTool('buildah', [
        'run',
        '--isolation',
        'chroot',
        ...volumes.flatMap((v) => ['-v', v]),
        ...Object.entries(hsmEnv).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
        ctr,
        '--',
        ...(config.Entrypoint ?? []),
        'keygen',
        '--pkcs11',
        uri,
      ]);
      expect(keygen.code, keygen.stderr).toBe(0);

      const hsmData = join(work, 'hsm-data');
      mkdirSync(hsmData, { mode: 0o700 });
      chownSync(hsmData, APP_UID, APP_UID);
      const run = await start(
        ctr,
        { ...hsmEnv, TELVAULT_MASTER_KEY_PKCS11: uri, TELVAULT_ROOT_TOKEN: rootToken },
        [`${hsmData}:/data`, ...volumes],
      );
      const tenant = await call(run.url, 'POST', '/v1/tenants', rootToken, { name: 'hsm' });
      expect(tenant.status).toBe(201);
      const path = `/v1/tenants/${String(tenant.json['id'])}/credentials/sendgrid`;
      const body = { apiKey: sendgridKey, fromEmail: 'ops@example.com' };
      expect((await call(run.url, 'PUT', path, rootToken, body)).status).toBe(200);
      const got = await call(run.url, 'GET', path, rootToken);
      expect(got.json).toMatchObject({ apiKey: { set: true, last4: sendgridKey.slice(-4) } });
      expect(await stop(run)).toBe(0);
      expect(run.output()).not.toContain(pin);
    },
  );
});
