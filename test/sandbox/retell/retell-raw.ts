// One raw HTTP call to the Retell emulator (Bearer key, JSON body), for what the SDK cannot send
// or where a test needs the exact status.
export interface RetellAnswer {
  status: number;
  /** The parsed body; undefined when it is empty. */
  json: unknown;
}

export async function retellRaw(
  url: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<RetellAnswer> {
  const res = await fetch(`${url}/retell${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}
