// The HTTP layer: the app, route specs (for routes other parts of the product add), OpenAPI.
export { createApp, type CreateAppInput } from './app.js';
export { buildOpenApi } from './openapi.js';
export {
  defineRoute,
  type HttpMethod,
  type RouteAccess,
  type RouteContext,
  type RouteSpec,
} from './route-spec.js';
export { tenantParams, errorSchema } from './schemas.js';
