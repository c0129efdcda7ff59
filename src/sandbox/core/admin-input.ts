// Admin request bodies are parsed with zod; a failure names the field and the rule.
import type { z } from 'zod';
import { SandboxAdminError } from './provider-store.js';

export function parseAdminInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.join('.') || 'body';
  throw new SandboxAdminError(400, `"${where}" ${issue?.message ?? 'is invalid'}`);
}

/** The parsed value without the keys zod left undefined (for exactOptionalPropertyTypes). */
export function definedOnly<T extends object>(
  value: T,
): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
