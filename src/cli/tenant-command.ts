// `telvault tenant create|list|delete|subaccount`: operator tenant management against the database.
import type { Command } from 'commander';
import { asTenantId } from '../crypto/index.js';
import type { CliIo } from './io.js';
import { withOperatorServices } from './operator-context.js';

const CLI = { kind: 'cli' } as const;

export function registerTenantCommand(program: Command, io: CliIo): void {
  const tenant = program.command('tenant').description('create, list and delete tenants');
  tenant
    .command('create <name>')
    .description('create a tenant (with its keys); prints its id')
    .option('--external-id <id>', 'the id your platform knows this customer by (unique)')
    .action(async (name: string, opts: { externalId?: string }) => {
      const t = await withOperatorServices(process.env, (s) =>
        s.tenants.create(name, CLI, opts.externalId),
      );
      io.write(`${t.id}\t${t.name}${t.externalId === null ? '' : `\t${t.externalId}`}\n`);
    });
  tenant
    .command('list')
    .description('list tenants')
    .action(async () => {
      const list = await withOperatorServices(process.env, (s) => s.tenants.list());
      for (const t of list)
        io.write(`${t.id}\t${t.createdAt}\t${t.name}\t${t.externalId ?? '-'}\n`);
    });
  tenant
    .command('delete <tenantId>')
    .description(
      'delete a tenant: destroys its keys and rows (its audit events are kept); refused while it has a SIP trunk or trunk numbers',
    )
    .option('--force', 'delete anyway, leaving its trunk and numbers at the providers (listed)')
    .action(async (id: string, opts: { force?: boolean }) => {
      const r = await withOperatorServices(process.env, (s) =>
        s.tenants.remove(id, CLI, { force: opts.force === true }),
      );
      for (const left of r.leftAtProviders)
        io.write(`left at the provider: ${left.resource} ${left.sid}\n`);
      io.write(`deleted ${id}\n`);
    });
  tenant
    .command('subaccount')
    .description(
      "create (or adopt) the tenant's Twilio sub-account under the platform's account and store it as its Twilio credentials",
    )
    .requiredOption('--tenant <tenantId>', 'the tenant')
    .action(async (opts: { tenant: string }) => {
      const tenantId = asTenantId(opts.tenant);
      const sub = await withOperatorServices(
        process.env,
        (s) => s.subaccounts.ensure(tenantId, CLI),
        { providers: true },
      );
      io.write(`${sub.accountSid}\t${sub.friendlyName}\t${sub.created ? 'created' : 'existing'}\n`);
    });
}
