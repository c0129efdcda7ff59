// What the schema alone cannot say about a mapping: each target's fields are ones it takes, its
// required fields are mapped, a secret is read only through a key, and a `plaintext` key is used
// only with the explicit flag. Errors name the path in the mapping.
import { TelvaultError } from '../../errors.js';
import type { ImportMapping } from './mapping-schema.js';
import { TARGET_FIELDS } from './targets.js';
import './errors.js';

export function checkMapping(mapping: ImportMapping, allowPlaintext: boolean): void {
  const problems: string[] = [];
  mapping.sources.forEach((s, i) => {
    s.targets.forEach((t, j) => {
      const at = `sources.${i}.targets.${j}`;
      const defs = TARGET_FIELDS[t.type];
      for (const [field, spec] of Object.entries(t.fields)) {
        const def = defs[field];
        if (def === undefined) {
          const known = Object.keys(defs);
          problems.push(
            `${at}.fields: ${t.type} takes ${known.length === 0 ? 'no fields' : `only ${known.join(', ')}`}`,
          );
          continue;
        }
        for (const [k, f] of (Array.isArray(spec) ? spec : [spec]).entries()) {
          const here = `${at}.fields.${field}${Array.isArray(spec) ? `.${k}` : ''}`;
          const scheme = f.key === undefined ? undefined : mapping.keys[f.key]?.scheme;
          if (def.secret && f.key === undefined && f.value === undefined)
            problems.push(
              `${here}.key: a secret is read through a key (plaintext: a key with scheme plaintext and --allow-plaintext)`,
            );
          if (def.secret && f.value !== undefined)
            problems.push(`${here}.value: a secret must not be in the mapping`);
          if (scheme === 'plaintext' && !allowPlaintext)
            problems.push(
              `${here}.key: key ${f.key ?? ''} is plaintext: run with --allow-plaintext to import plaintext values`,
            );
        }
      }
      for (const [field, def] of Object.entries(defs)) {
        if (def.required && t.fields[field] === undefined)
          problems.push(`${at}.fields.${field}: is required for ${t.type}`);
      }
    });
  });
  if (problems.length > 0) {
    throw new TelvaultError('ERR_IMPORT_MAPPING_INVALID', problems.slice(0, 5).join('; '));
  }
}
