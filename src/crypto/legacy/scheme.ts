/** Decodes one stored value to its plaintext, or throws. */
export type LegacyDecodeFn = (input: unknown) => string;

/** One legacy format: its params, validated and in canonical order, and a decoder factory. */
export interface LegacyScheme {
  /** Validates params; the canonical form keys the derived-key cache (as a SHA-256). */
  canonicalParams(params: unknown): readonly unknown[];
  /** Runs the expensive key derivation (scrypt, PBKDF2) once; the decoder reuses the key. */
  createDecoder(params: unknown): LegacyDecodeFn;
}
