// The codes only the HTTP surface raises (body parsing).
declare module '../crypto/errors.js' {
  interface ErrorCodes {
    ERR_HTTP_BODY_TOO_LARGE: true;
    ERR_HTTP_MEDIA_TYPE: true;
  }
}

export {};
