// `plaintext`: the stored value is the value. No params; only imported with the caller's explicit
// opt-in, which the importer enforces.
import { inputError, paramsError } from './parse.js';
import type { LegacyScheme } from './scheme.js';

function parse(params: unknown): void {
  if (params === undefined) return;
  if (
    typeof params !== 'object' ||
    params === null ||
    Array.isArray(params) ||
    Object.keys(params).length > 0
  ) {
    throw paramsError('"params" expected none (undefined or {}) for plaintext');
  }
}

type WellFormed = string & { isWellFormed(): boolean };

export const plaintext: LegacyScheme = {
  canonicalParams(params) {
    parse(params);
    return [];
  },
  createDecoder(params) {
    parse(params);
    return (input) => {
      if (typeof input !== 'string') throw inputError('input expected a string');
      if (!(input as WellFormed).isWellFormed())
        throw inputError('input must be well-formed Unicode');
      return input;
    };
  },
};
