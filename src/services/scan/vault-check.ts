// `telvault scan --check-vault URL`: asks a running telvault (POST /v1/leak-check, root token)
// whether the values found are credentials it stores, and marks each such finding with where
// (tenant, provider, field): that credential is live and must be rotated. Each distinct value is
// sent once, over requests of at most 1,000 candidates and 48 KB (the server takes 64 KiB); the
// values go in request bodies only, never in a URL, a message or the output.
import { z } from 'zod';
import type { Secret } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { ScanFinding, VaultMatch } from './scan-service.js';

const MAX_CANDIDATES = 1000;
const MAX_BODY_CHARS = 48 * 1024;

const responseSchema = z.object({
  matches: z.array(
    z.object({
      index: z.number().int(),
      tenantId: z.string(),
      provider: z.string(),
      entity: z.string(),
      field: z.string(),
    }),
  ),
});

export interface VaultCheckInput {
  url: string;
  rootToken: Secret<string>;
  /** What `scanSecrets` passed to `onSecret`. */
  secrets: readonly { finding: ScanFinding; value: Secret<string> }[];
}

/** Splits the distinct values into requests within both limits. */
function batches(values: readonly string[]): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const v of values) {
    const cost = JSON.stringify(v).length + 1;
    if (current.length === MAX_CANDIDATES || (current.length > 0 && size + cost > MAX_BODY_CHARS)) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(v);
    size += cost;
  }
  if (current.length > 0) out.push(current);
  return out;
}

async function ask(input: VaultCheckInput, candidates: string[]): Promise<VaultMatch[][]> {
  const target = new URL('/v1/leak-check', input.url);
  let res: Response;
  try {
    res = await fetch(target, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${input.rootToken.reveal()}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ candidates }),
    });
  } catch (err) {
    throw new TelvaultError(
      'ERR_SCAN_VAULT_CHECK_FAILED',
      `--check-vault: ${target.origin} did not answer`,
      { cause: err },
    );
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
    throw new TelvaultError(
      'ERR_SCAN_VAULT_CHECK_FAILED',
      `--check-vault: ${target.origin} answered ${res.status}${typeof code === 'string' ? ` ${code}` : ''}`,
    );
  }
  const parsed = responseSchema.safeParse(body);
  if (!parsed.success) {
    throw new TelvaultError(
      'ERR_SCAN_VAULT_CHECK_FAILED',
      `--check-vault: ${target.origin} answered an unexpected body`,
    );
  }
  const per: VaultMatch[][] = candidates.map(() => []);
  for (const { index, ...where } of parsed.data.matches) per[index]?.push(where);
  return per;
}

/** Sets `vault` on every finding whose value telvault stores; resolves to how many it set. */
export async function checkVault(input: VaultCheckInput): Promise<number> {
  const byValue = new Map<string, ScanFinding[]>();
  for (const { finding, value } of input.secrets) {
    const text = value.reveal();
    byValue.set(text, [...(byValue.get(text) ?? []), finding]);
  }
  let marked = 0;
  for (const batch of batches([...byValue.keys()])) {
    const answers = await ask(input, batch);
    batch.forEach((value, i) => {
      const where = answers[i] ?? [];
      if (where.length === 0) return;
      for (const f of byValue.get(value) ?? []) {
        f.vault = where;
        marked++;
      }
    });
  }
  return marked;
}
