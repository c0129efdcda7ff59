// The layer rules of eslint.layers.js, shown to fail on planted violations and to pass the imports
// each layer is allowed. Linted as text at paths inside src/, so nothing is written to the tree.
import { ESLint } from 'eslint';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { layerZones } from '../../eslint.layers.js';

const eslint = new ESLint({
  overrideConfigFile: true,
  overrideConfig: [
    {
      files: ['**/*.ts'],
      languageOptions: { parser: tseslint.parser },
      plugins: { 'import-x': importX },
      settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
      rules: { 'import-x/no-restricted-paths': ['error', { zones: layerZones }] },
    },
  ],
});

async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

const cases: [file: string, code: string, expected: RegExp | null][] = [
  ['src/crypto/zz.ts', "import { nowIso } from '../store/time.js';", /crypto\/ imports nothing/],
  ['src/crypto/legacy/zz.ts', "import { TelvaultError } from '../errors.js';", null],
  ['src/providers/zz.ts', "import { nowIso } from '../store/time.js';", /providers\/ never/],
  [
    'src/providers/twilio/zz.ts',
    "import type { KeyService } from '../../services/keys/index.js';",
    /providers\/ never/,
  ],
  ['src/store/zz.ts', "import { SCOPES } from '../services/tokens/index.js';", /store\/ never/],
  ['src/sandbox/zz.ts', "import { newId } from '../store/time.js';", /sandbox\/ never/],
  ['src/services/zz.ts', "import { createApp } from '../http/app.js';", /services\/ never/],
  ['src/http/zz.ts', "import { newId } from '../store/time.js';", /never store\/ directly/],
  [
    'src/cli/zz.ts',
    "import { hashToken } from '../services/tokens/token-service.js';",
    /through its domain's index/,
  ],
  [
    'src/http/routes/zz.ts',
    "import { rotateMasterKey } from '../../services/keys/rotation/master-key-rotation.js';",
    /through its domain's index/,
  ],
  ['src/http/routes/zz.ts', "import { SCOPES } from '../../services/tokens/index.js';", null],
  ['src/services/zz.ts', "import { Secret } from '../crypto/secret.js';", /through crypto\/index/],
  ['src/zz.ts', "import { Secret } from './crypto/secret.js';", /through crypto\/index/],
  ['src/services/zz.ts', "import { Secret } from '../crypto/index.js';", null],
  ['src/crypto/zz.ts', "import { Secret } from './secret.js';", null],
  ['src/web/zz.ts', "import { SCOPES } from '../services/tokens/index.js';", /over HTTP/],
];

describe('layer rules (eslint.layers.js)', () => {
  it.each(cases)('%s: %s', async (file, code, expected) => {
    const found = await violations(file, code);
    if (expected === null) expect(found).toEqual([]);
    else expect(found).toEqual([expect.stringMatching(expected)]);
  });

  it('the project as it stands has no violation', async () => {
    const results = await eslint.lintFiles(['src/**/*.ts']);
    const messages = results.flatMap((r) => r.messages.map((m) => `${r.filePath}: ${m.message}`));
    expect(messages).toEqual([]);
  });
});
