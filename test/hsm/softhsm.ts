// A real SoftHSM2 token for one test file: its own token directory and configuration in a temp
// dir, pointed at by SOFTHSM2_CONF before the library is first loaded (SoftHSM reads it once per
// process, so one token set-up per test file; vitest runs each file in its own process).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

export interface SoftHsm {
  dir: string;
  /** A file holding the user PIN. */
  pinFile: string;
  /** A PKCS#11 URI for `object` in token `token` (default: the first token). */
  uri(object: string, opts?: { token?: string; pinFile?: string; module?: string }): string;
  /** Initialises another token (the first is `tv-main`). */
  addToken(label: string): void;
  close(): void;
}

const installed = existsSync(SOFTHSM_MODULE);
if (!installed && process.env['CI'] !== 'true') {
  console.warn(
    `SKIPPING the HSM tests: no SoftHSM2 at ${SOFTHSM_MODULE} (apt-get install softhsm2)`,
  );
}
/** Under CI=true the tests always run: a missing SoftHSM2 fails them instead of skipping. */
export const hsmAvailable = installed || process.env['CI'] === 'true';

export function startSoftHsm(): SoftHsm {
  const dir = mkdtempSync(join(tmpdir(), 'telvault-hsm-'));
  const tokens = join(dir, 'tokens');
  mkdirSync(tokens);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  process.env.SOFTHSM2_CONF = conf;
  const pin = `pin-${Math.random().toString(36).slice(2, 10)}`;
  const pinFile = join(dir, 'pin');
  writeFileSync(pinFile, `${pin}\n`, { mode: 0o600 });
  const addToken = (label: string) => {
    execFileSync(
      'softhsm2-util',
      ['--init-token', '--free', '--label', label, '--so-pin', 'so-secret', '--pin', pin],
      { env: { ...process.env, SOFTHSM2_CONF: conf }, stdio: 'ignore' },
    );
  };
  addToken('tv-main');
  return {
    dir,
    pinFile,
    uri: (object, opts = {}) =>
      `pkcs11:token=${encodeURIComponent(opts.token ?? 'tv-main')};object=${encodeURIComponent(object)}` +
      `?module-path=${opts.module ?? SOFTHSM_MODULE}&pin-source=file:${opts.pinFile ?? pinFile}`,
    addToken,
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}
