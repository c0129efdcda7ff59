// The codes only the HTTP surface raises (routing and body parsing).
declare module '../crypto/errors.js' {
  interface ErrorCodes {
    ERR_HTTP_BODY_TOO_LARGE: true;
    ERR_HTTP_MEDIA_TYPE: true;
    ERR_HTTP_METHOD_NOT_ALLOWED: true;
    ERR_HTTP_URI_TOO_LONG: true;
  }
}

export {};
