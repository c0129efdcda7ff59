// STUB by the sandbox-core owner so the sandbox typechecks: the Exotel emulator owner replaces the
// body. createSandboxApp registers it with app.register(exotelEmulator, { prefix: '/exotel', context })
// (Exotel: prefix '/exotel', the API host is the next path segment). It should set
// context.errorFormatters.exotel so injected faults answer with Exotel-shaped error bodies.
import type { FastifyPluginAsync } from 'fastify';
import type { SandboxContext } from '../sandbox-context.js';

export const exotelEmulator: FastifyPluginAsync<{ context: SandboxContext }> = async () => {};
