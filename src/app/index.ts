// The composition root: configuration → database → key service → services → HTTP server.
export { createServer, type CreateServerInput, type TelvaultServer } from './server.js';
export { openServices, type OpenedServices } from './open-services.js';
export { createServices, type Services, type ServicesInput } from './services.js';
