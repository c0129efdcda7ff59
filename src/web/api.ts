// The console's one way to the server: the public /v1 API over fetch, with the token in an
// Authorization header (never a cookie, so no request is ever sent with ambient credentials).
// An answer that is not 2xx becomes an ApiError carrying the API's own code and message; a 400's
// message names each field and its rule (`accountSid: …; authToken: …`), split here per field so a
// form can show each one at its input.

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  /** Field path (`exotel.apiKey`) → the rule it broke, for a validation error. */
  readonly fields: ReadonlyMap<string, string>;

  constructor(status: number, code: string, message: string, requestId?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.fields = code === 'ERR_VALIDATION' ? fieldErrors(message) : new Map();
  }
}

/** `a: rule one; b.c: rule two` → { a → rule one, b.c → rule two }. */
export function fieldErrors(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split('; ')) {
    const at = part.indexOf(': ');
    if (at <= 0) continue;
    for (const name of part.slice(0, at).split(', ')) {
      const field = name.startsWith('body.') ? name.slice('body.'.length) : name;
      if (!out.has(field)) out.set(field, part.slice(at + 2));
    }
  }
  return out;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Api {
  get<T>(path: string): Promise<T>;
  send<T>(
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    opts?: RequestOptions,
  ): Promise<T>;
}

function errorOf(status: number, parsed: unknown): ApiError {
  const e = (
    parsed as { error?: { code?: unknown; message?: unknown; requestId?: unknown } } | null
  )?.error;
  if (e !== undefined && typeof e.code === 'string' && typeof e.message === 'string') {
    return new ApiError(
      status,
      e.code,
      e.message,
      typeof e.requestId === 'string' ? e.requestId : undefined,
    );
  }
  return new ApiError(status, 'ERR_HTTP', `the server answered HTTP ${status}`);
}

/**
 * A client for one token. `onUnauthorized` runs when the server no longer accepts it (revoked,
 * expired): the console then signs out.
 */
export function createApi(token: string, onUnauthorized: () => void): Api {
  async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${token}`,
      ...opts.headers,
    };
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers,
        credentials: 'omit',
        cache: 'no-store',
        redirect: 'error',
        ...(body === undefined ? {} : { body }),
      });
    } catch {
      throw new ApiError(0, 'ERR_NETWORK', 'the server could not be reached');
    }
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (!res.ok) {
      const err = errorOf(res.status, parsed);
      if (res.status === 401) onUnauthorized();
      throw err;
    }
    return parsed as T;
  }
  return {
    get: (path) => request('GET', path),
    send: (method, path, opts) => request(method, path, opts),
  };
}

/** Query string from the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

export const tenantPath = (tenantId: string, rest = ''): string =>
  `/v1/tenants/${encodeURIComponent(tenantId)}${rest}`;
