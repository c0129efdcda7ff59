import { TelvaultError, type ErrorCode } from '../errors.js';
import type { ProviderDetail } from './core/vendor-detail.js';

export type ProviderName = 'twilio' | 'retell' | 'exotel' | 'sendgrid';

export interface ProviderErrorDetails {
  provider: ProviderName;
  /** What we were doing, e.g. `trunks.create`. */
  operation: string;
  /** HTTP status, or undefined when no response arrived (network error, dropped connection). */
  status: number | undefined;
  /** The provider's own error code (Twilio `code`, Exotel `RestException.Code`), if any. */
  providerCode: string | number | undefined;
  retryable: boolean;
  /**
   * Why it failed when no HTTP exchange explains it (the request was never sent: a host not on
   * the allow-list, no sandbox URL). Our own words only, never vendor text.
   */
  reason?: string;
  /** What the provider said (code, cleaned message, documentation link): core/vendor-detail.ts. */
  providerDetail?: ProviderDetail | undefined;
}

/**
 * Every provider failure, whichever SDK raised it. The message names provider, operation, status
 * and code only: vendor bodies can echo credentials and are never copied into it. What the
 * provider said is in `providerDetail`, cleaned (numbers masked, secret-like runs redacted).
 */
export class ProviderError extends TelvaultError {
  readonly provider: ProviderName;
  readonly operation: string;
  readonly status: number | undefined;
  readonly providerCode: string | number | undefined;
  readonly retryable: boolean;
  readonly providerDetail: ProviderDetail | undefined;

  constructor(code: ErrorCode, details: ProviderErrorDetails, options?: { cause?: unknown }) {
    const status =
      details.reason ?? (details.status === undefined ? 'no response' : `HTTP ${details.status}`);
    const pcode = details.providerCode === undefined ? '' : ` (code ${details.providerCode})`;
    super(code, `${details.provider} ${details.operation} failed: ${status}${pcode}`, options);
    this.name = 'ProviderError';
    this.provider = details.provider;
    this.operation = details.operation;
    this.status = details.status;
    this.providerCode = details.providerCode;
    this.retryable = details.retryable;
    this.providerDetail = details.providerDetail;
  }
}
