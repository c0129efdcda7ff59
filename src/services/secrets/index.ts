// Named secrets: one envelope each, listed masked, revealed only through an audited call.
export {
  createSecretService,
  secretInput,
  secretName,
  secretView,
  type SecretService,
  type SecretView,
} from './secret-service.js';
