// The mapping file: which source records become what, where each value is in a record, and which
// legacy key opens it. Parsed once with zod; every error names the path in the mapping. Secrets
// for legacy keys are never in the mapping: it names the environment variable or file instead.
import { z } from 'zod';
import { TelvaultError } from '../../errors.js';
import { describeIssues } from '../common/validation.js';
import { TARGET_TYPES } from './targets.js';
import './errors.js';

const name = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'must be 1 to 64 of A-Z a-z 0-9 _ - (a letter first)');

/** A dotted path into a record (`metadata.sipCredentials.password`); a CSV column is one segment. */
const path = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters');

const SCHEMES = ['gcm-fields-scrypt', 'gcm-hex-pbkdf2', 'gcm-packed-b64', 'cbc-hex', 'plaintext'];

export const keySpec = z
  .strictObject({
    scheme: z.enum(SCHEMES, { error: `must be one of ${SCHEMES.join(', ')}` }),
    secretEnv: z
      .string({ error: 'must be a string' })
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be an environment variable name')
      .optional(),
    secretFile: z.string({ error: 'must be a string' }).min(1, 'must not be empty').optional(),
    // The scheme's other parameters (salt, iterations, kdf); the secret is refused here.
    params: z
      .record(z.string(), z.union([z.string(), z.number()]), { error: 'must be an object' })
      .refine((p) => !('secret' in p) && !('key' in p), {
        message: 'must not hold the secret or key: name secretEnv or secretFile instead',
      })
      .optional(),
  })
  .superRefine((k, ctx) => {
    const sources = (k.secretEnv === undefined ? 0 : 1) + (k.secretFile === undefined ? 0 : 1);
    if (k.scheme === 'plaintext' && sources > 0)
      ctx.addIssue({ code: 'custom', path: ['secretEnv'], message: 'plaintext takes no secret' });
    if (k.scheme !== 'plaintext' && sources !== 1)
      ctx.addIssue({
        code: 'custom',
        path: ['secretEnv'],
        message: 'exactly one of secretEnv or secretFile is required',
      });
  });
export type KeySpec = z.infer<typeof keySpec>;

/** Where one value comes from. */
export const fieldSource = z
  .strictObject({
    path: path.optional(),
    value: z.union([z.string(), z.array(z.string())], { error: 'must be a string' }).optional(),
    /** An object built from several paths (a `gcm-fields-scrypt` value: encrypted, iv, authTag). */
    compose: z.record(z.string(), path, { error: 'must be an object' }).optional(),
    /** The key (by name in `keys`) that opens the value; without one it is taken as it is. */
    key: name.optional(),
    /** The decoded value is a JSON object: take this property of it. */
    json: z.string({ error: 'must be a string' }).min(1, 'must not be empty').optional(),
    /** Use this source only when this path is present in the record. */
    ifPresent: path.optional(),
    optional: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .refine((f) => [f.path, f.value, f.compose].filter((x) => x !== undefined).length === 1, {
    message: 'exactly one of path, value or compose is required',
  });
export type FieldSource = z.infer<typeof fieldSource>;

/** One source, or alternatives: the first whose ifPresent holds is used. */
const fieldSpec = z.union([fieldSource, z.array(fieldSource).min(1, 'must not be empty')]);
export type FieldSpec = z.infer<typeof fieldSpec>;

const condition = z.strictObject({
  path,
  equals: z.string({ error: 'must be a string' }).optional(),
  present: z.boolean({ error: 'must be true or false' }).optional(),
});
export type Condition = z.infer<typeof condition>;

const target = z.strictObject({
  type: z.enum(TARGET_TYPES, { error: `must be one of ${TARGET_TYPES.join(', ')}` }),
  where: condition.optional(),
  fields: z.record(z.string(), fieldSpec, { error: 'must be an object' }).default({}),
});
export type TargetSpec = z.infer<typeof target>;

const tenant = z.union(
  [
    z.strictObject({ externalId: fieldSpec, name: fieldSpec.optional() }),
    z.strictObject({ id: z.uuid({ error: 'must be a tenant id' }) }),
  ],
  { error: 'must be { externalId, name? } or { id }' },
);
export type TenantSpec = z.infer<typeof tenant>;

const FORMATS = ['json', 'ndjson', 'ejson', 'csv'] as const;
export type InputFormat = (typeof FORMATS)[number];

const source = z.strictObject({
  name,
  file: z.string({ error: 'must be a string' }).min(1, 'must not be empty').optional(),
  format: z.enum(FORMATS, { error: `must be one of ${FORMATS.join(', ')}` }),
  id: path,
  tenant,
  where: condition.optional(),
  targets: z.array(target, { error: 'must be a list' }).min(1, 'must name at least one target'),
});
export type SourceSpec = z.infer<typeof source>;

export const importMapping = z
  .strictObject({
    version: z.literal(1, { error: 'must be 1' }),
    description: z.string().optional(),
    keys: z.record(name, keySpec, { error: 'must be an object' }).default({}),
    sources: z.array(source, { error: 'must be a list' }).min(1, 'must name at least one source'),
  })
  .superRefine((m, ctx) => {
    const names = new Set<string>();
    m.sources.forEach((s, i) => {
      if (names.has(s.name))
        ctx.addIssue({ code: 'custom', path: ['sources', i, 'name'], message: 'must be unique' });
      names.add(s.name);
      s.targets.forEach((t, j) => {
        for (const [field, spec] of Object.entries(t.fields)) {
          for (const f of Array.isArray(spec) ? spec : [spec]) {
            if (f.key !== undefined && m.keys[f.key] === undefined)
              ctx.addIssue({
                code: 'custom',
                path: ['sources', i, 'targets', j, 'fields', field, 'key'],
                message: 'must name a key in keys',
              });
          }
        }
      });
    });
  });
export type ImportMapping = z.infer<typeof importMapping>;

function mappingError(message: string): TelvaultError {
  return new TelvaultError('ERR_IMPORT_MAPPING_INVALID', message);
}

/** Parses a mapping object (the library's way in); ERR_IMPORT_MAPPING_INVALID naming each path. */
export function parseMapping(value: unknown): ImportMapping {
  const r = importMapping.safeParse(value);
  if (!r.success) throw mappingError(describeIssues(r.error.issues, 'mapping'));
  return r.data;
}

/** Parses a mapping file's text (JSON); a syntax error names its line, never its text. */
export function parseMappingText(text: string, fileName: string): ImportMapping {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw mappingError(`${fileName}: not valid JSON${lineOf(err, text)}`);
  }
  return parseMapping(value);
}

/** ` (line N)` from a JSON.parse error's position, never its snippet of the text. */
export function lineOf(err: unknown, text: string): string {
  const m = err instanceof Error ? /position (\d+)/.exec(err.message) : null;
  if (m === null) return '';
  const pos = Number(m[1]);
  return ` (line ${text.slice(0, pos).split('\n').length})`;
}
