// STUB by the sandbox-core owner so the sandbox typechecks: the Sendgrid emulator owner replaces the
// body. createSandboxApp registers it with app.register(sendgridEmulator, { prefix: '/sendgrid', context })
// (Exotel: prefix '/exotel', the API host is the next path segment). It should set
// context.errorFormatters.sendgrid so injected faults answer with Sendgrid-shaped error bodies.
import type { FastifyPluginAsync } from 'fastify';
import type { SandboxContext } from '../sandbox-context.js';

export const sendgridEmulator: FastifyPluginAsync<{ context: SandboxContext }> = async () => {};
