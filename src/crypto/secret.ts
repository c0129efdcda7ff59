import { inspect } from 'node:util';

const REDACTED = '[REDACTED]';

/**
 * A value that must not leak: `String()`, template literals, `JSON.stringify` and `util.inspect`
 * all print `[REDACTED]`. The value comes out only through `reveal()`.
 */
export class Secret<T = string> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  /** The one way to read the value. Call it at the moment of use, never to log or store. */
  reveal(): T {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** True for a Secret wrapper (used by the logger's redaction). */
export function isSecret(value: unknown): value is Secret<unknown> {
  return value instanceof Secret;
}
