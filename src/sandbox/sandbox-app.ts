// The sandbox: provider emulators on one port, routed by path prefix (one prefix per real host):
//   /twilio-api/…       = https://api.twilio.com/…
//   /twilio-trunking/…  = https://trunking.twilio.com/…
//   /retell/…           = https://api.retellai.com/…
//   /exotel/<host>/…    = https://<host>/… (api.exotel.com, api.in.exotel.com)
//   /sendgrid/…         = https://api.sendgrid.com/…
//   /__sandbox/…        = the admin surface (only with `admin: true`; never part of the product)
import Fastify, { type FastifyInstance } from 'fastify';
import { registerSandboxAdmin } from './admin/admin-routes.js';
import { installSandboxHooks } from './core/sandbox-hooks.js';
import { exotelEmulator } from './exotel/exotel-emulator.js';
import { retellEmulator } from './retell/retell-emulator.js';
import { createSandboxContext, type SandboxContext } from './sandbox-context.js';
import type { SandboxSeed } from './seed.js';
import { sendgridEmulator } from './sendgrid/sendgrid-emulator.js';
import { twilioApiEmulator, twilioTrunkingEmulator } from './twilio/twilio-emulator.js';

export interface SandboxApp {
  app: FastifyInstance;
  context: SandboxContext;
}

export interface SandboxAppOptions {
  /** Accounts and keys to create (see seed.ts for the format). Default: none. */
  seed?: SandboxSeed;
  /** Mount the `/__sandbox/…` admin surface. Default false. */
  admin?: boolean;
}

export function createSandboxApp(options: SandboxAppOptions = {}): SandboxApp {
  const context = createSandboxContext(options.seed);
  const app = Fastify({ logger: false, forceCloseConnections: true });
  installSandboxHooks(app, context);
  void app.register(twilioApiEmulator, { prefix: '/twilio-api', context });
  void app.register(twilioTrunkingEmulator, { prefix: '/twilio-trunking', context });
  void app.register(retellEmulator, { prefix: '/retell', context });
  void app.register(exotelEmulator, { prefix: '/exotel', context });
  void app.register(sendgridEmulator, { prefix: '/sendgrid', context });
  if (options.admin === true) {
    void app.register(registerSandboxAdmin, { prefix: '/__sandbox', context });
  }
  return { app, context };
}
