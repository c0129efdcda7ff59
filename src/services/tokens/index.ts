// API tokens and the root token: minted, hashed at rest, looked up per request, with scopes.
export { isScope, SCOPES, type Scope } from './scopes.js';
export {
  createTokenService,
  generateToken,
  hashToken,
  rootTokenProblem,
  ROOT_TOKEN_MIN_LENGTH,
  ROOT_TOKEN_PREFIX,
  type Principal,
  type TokenService,
} from './token-service.js';
export { createdTokenView, tokenInput, tokenView } from './token-schemas.js';
export { tokenIdentityView, type TokenIdentityView } from './token-identity.js';
