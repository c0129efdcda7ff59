// Delivers a callback the sandbox sends as a provider would (Twilio status callbacks, Retell
// webhooks): one HTTP request, no redirects followed, bounded in time. The answer is what the
// admin surface reports: the receiver's HTTP status, or null when nothing answered.

export interface CallbackRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/** The receiver's HTTP status, or null when it could not be reached or did not answer in time. */
export async function deliverCallback(
  request: CallbackRequest,
  timeoutMs = 5_000,
): Promise<number | null> {
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return null;
  }
}
