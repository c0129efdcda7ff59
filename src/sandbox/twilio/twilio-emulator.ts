// Twilio's two hosts as sandbox plugins: api.twilio.com (v2010, scoped by the path's AccountSid)
// and trunking.twilio.com (v1, scoped by the authenticated account). providers.md §1, §8.
import type { FastifyPluginAsync } from 'fastify';
import type { SandboxContext } from '../sandbox-context.js';
import { registerAssociationRoutes } from './trunking-association-routes.js';
import { registerTrunkRoutes } from './trunking-trunk-routes.js';
import { setUpTwilioPlugin } from './twilio-plugin.js';
import { registerAccountRoutes } from './v2010-account-routes.js';
import { registerMessagingRoutes } from './v2010-messaging-routes.js';
import { registerNumberRoutes } from './v2010-number-routes.js';
import { registerSipRoutes } from './v2010-sip-routes.js';

export const twilioApiEmulator: FastifyPluginAsync<{ context: SandboxContext }> = (
  app,
  { context },
) => {
  setUpTwilioPlugin(app, context, 'path-account');
  registerSipRoutes(app, context.twilio);
  registerNumberRoutes(app, context.twilio);
  registerMessagingRoutes(app, context.twilio);
  registerAccountRoutes(app, context.twilio);
  return Promise.resolve();
};

export const twilioTrunkingEmulator: FastifyPluginAsync<{ context: SandboxContext }> = (
  app,
  { context },
) => {
  setUpTwilioPlugin(app, context, 'authenticated-account');
  registerTrunkRoutes(app, context.twilio);
  registerAssociationRoutes(app, context.twilio);
  return Promise.resolve();
};
