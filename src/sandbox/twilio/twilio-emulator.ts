// Twilio's two hosts as sandbox plugins: api.twilio.com (v2010) and trunking.twilio.com (v1).
import type { FastifyPluginAsync } from 'fastify';
import type { SandboxContext } from '../sandbox-context.js';

export const twilioApiEmulator: FastifyPluginAsync<{ context: SandboxContext }> = async () => {};

export const twilioTrunkingEmulator: FastifyPluginAsync<{
  context: SandboxContext;
}> = async () => {};
