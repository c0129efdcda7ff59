// Named secrets: one envelope each, listed masked, revealed only through an audited call.
export {
  createSecretService,
  parseSecretInput,
  secretInput,
  secretName,
  secretView,
  type SecretInput,
  type SecretService,
  type SecretView,
} from './secret-service.js';
