// Schema parsing at the edges: a failure is ERR_VALIDATION whose message names each field and the
// rule it broke, never the value.
import type { z } from 'zod';
import { TelvaultError } from '../../errors.js';

const MAX_ISSUES = 5;
const MAX_NAME = 64;

function fieldName(path: readonly PropertyKey[], root: string): string {
  if (path.length === 0) return root;
  return path.map((p) => String(p).slice(0, MAX_NAME)).join('.');
}

/** Formats zod issues as `field: rule; field: rule`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], root: string): string {
  return issues
    .slice(0, MAX_ISSUES)
    .map((i) => {
      if (i.code === 'unrecognized_keys') {
        const keys = i.keys.map((k) => fieldName([...i.path, k], root));
        return `${keys.join(', ')}: unknown field`;
      }
      const message = i.message.startsWith('Invalid input: ')
        ? i.message.slice('Invalid input: '.length)
        : i.message;
      return `${fieldName(i.path, root)}: ${message}`;
    })
    .join('; ');
}

export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  root = 'body',
): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new TelvaultError('ERR_VALIDATION', describeIssues(r.error.issues, root));
  return r.data;
}
