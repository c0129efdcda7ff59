// The codes of `telvault scan` (the CLI exits 2 on the usage errors, 1 on a failed vault check).
declare module '../../crypto/errors.js' {
  interface ErrorCodes {
    /** The path to scan does not exist or is not a directory. */
    ERR_SCAN_PATH_INVALID: true;
    /** The allowlist file cannot be read, or a line of it is not a fingerprint. */
    ERR_SCAN_ALLOWLIST_INVALID: true;
    /** `--history` on a path that is not in a git repository, or git failed. */
    ERR_SCAN_GIT_FAILED: true;
    /** `--check-vault`: the telvault asked did not answer, or refused (its status and code). */
    ERR_SCAN_VAULT_CHECK_FAILED: true;
  }
}

export {};
