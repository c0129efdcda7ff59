// The codes of `telvault import` (exit code 2: the mapping or the input cannot be used as it is).
declare module '../../crypto/errors.js' {
  interface ErrorCodes {
    /** The mapping file breaks a rule; the message names the path in the mapping. */
    ERR_IMPORT_MAPPING_INVALID: true;
    /** An input file cannot be read as its format; the message names the file and line. */
    ERR_IMPORT_INPUT_INVALID: true;
    /** A legacy key's secret is not where the mapping says (environment variable or file). */
    ERR_IMPORT_KEY_MISSING: true;
  }
}

export {};
