// The package's version, read once from its package.json (one level above both src/ and dist/),
// for `telvault --version` and the index at `GET /`.
import { createRequire } from 'node:module';

const pkg = createRequire(import.meta.url)('../package.json') as { version?: unknown };

export const TELVAULT_VERSION: string = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
