// The sandbox: provider emulators on one port, routed by path prefix (one prefix per real host).
// (Skeleton: the sandbox-core owner fills in admin, faults, barriers and seeding.)
import Fastify, { type FastifyInstance } from 'fastify';
import { createSandboxContext, type SandboxContext } from './sandbox-context.js';

export interface SandboxApp {
  app: FastifyInstance;
  context: SandboxContext;
}

export function createSandboxApp(): SandboxApp {
  const context = createSandboxContext();
  const app = Fastify({ logger: false });
  return { app, context };
}
