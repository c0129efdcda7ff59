// `telvault token create|list|revoke`: operator token management against the database.
import type { Command } from 'commander';
import { TelvaultError } from '../errors.js';
import { isScope, SCOPES, type Scope } from '../services/tokens/index.js';
import type { CliIo } from './io.js';
import { withOperatorServices } from './operator-context.js';

const CLI = { kind: 'cli' } as const;

function parseScopes(list: string): Scope[] {
  const scopes = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = scopes.filter((s) => !isScope(s));
  if (scopes.length === 0 || bad.length > 0) {
    throw new TelvaultError(
      'ERR_VALIDATION',
      `--scopes: must be a comma-separated list of ${SCOPES.join(', ')}`,
    );
  }
  return scopes.filter(isScope);
}

export function registerTokenCommand(program: Command, io: CliIo): void {
  const token = program.command('token').description('mint, list and revoke tenant API tokens');
  token
    .command('create')
    .description('mint a tenant token; the token is printed once')
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .requiredOption('--scopes <list>', `comma-separated scopes (${SCOPES.join(', ')})`)
    .option('--name <name>', 'a name to recognise it by', 'cli')
    .option('--expires-at <iso>', 'expiry (ISO-8601)')
    .action(async (o: { tenant: string; scopes: string; name: string; expiresAt?: string }) => {
      const scopes = parseScopes(o.scopes);
      let expiresAt: string | undefined;
      if (o.expiresAt !== undefined) {
        const d = new Date(o.expiresAt);
        if (Number.isNaN(d.getTime()))
          throw new TelvaultError('ERR_VALIDATION', '--expires-at: must be an ISO-8601 date-time');
        expiresAt = d.toISOString();
      }
      const made = await withOperatorServices(process.env, async (s) => {
        if (!(await s.tenants.exists(o.tenant)))
          throw new TelvaultError('ERR_NOT_FOUND', 'tenant not found');
        return s.tokens.create(
          { tenantId: o.tenant, name: o.name, scopes, expiresAt },
          { kind: 'root' },
          CLI,
        );
      });
      io.write(`${made.token.reveal()}\n`);
      io.write(
        `id ${made.view.id} scopes ${made.view.scopes.join(',')} (the token is shown only now)\n`,
      );
    });
  token
    .command('list')
    .description("list a tenant's tokens (never their values)")
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .action(async (o: { tenant: string }) => {
      const list = await withOperatorServices(process.env, (s) => s.tokens.list(o.tenant));
      for (const t of list) {
        const state =
          t.revokedAt !== null
            ? 'revoked'
            : t.expiresAt !== null && t.expiresAt <= new Date().toISOString()
              ? 'expired'
              : 'active';
        io.write(`${t.id}\t${t.prefix}…\t${state}\t${t.scopes.join(',')}\t${t.name}\n`);
      }
    });
  token
    .command('revoke <tokenId>')
    .description('revoke a token')
    .requiredOption('--tenant <tenantId>', 'tenant id')
    .action(async (tokenId: string, o: { tenant: string }) => {
      await withOperatorServices(process.env, (s) => s.tokens.revoke(o.tenant, tokenId, CLI));
      io.write(`revoked ${tokenId}\n`);
    });
}
