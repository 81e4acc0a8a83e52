/** A small JSON client for the public API, used by the probe and the deploy checks. */

export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly code: string | undefined,
    detail: string,
  ) {
    super(`${method} ${path} answered ${status}${code ? ` ${code}` : ''}: ${detail}`);
  }
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Statuses that count as success; anything else throws an ApiError. */
  expect?: number[];
  timeoutMs?: number;
  /** A Cookie header to send (the probe's device id). */
  cookie?: string;
  /** Sees the successful response's headers (Set-Cookie). */
  onHeaders?: (headers: Headers) => void;
}

export async function call<T>(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<T> {
  const { token, body, expect = [200, 201, 202, 204], timeoutMs = 10_000, cookie, onHeaders } = options;
  let response: Response;
  try {
    response = await fetch(baseUrl.replace(/\/$/, '') + path, {
      method,
      headers: {
        ...(token && { authorization: `Bearer ${token}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(cookie && { cookie }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const why = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : describeFetchError(err);
    throw new ApiError(method, path, 0, undefined, why);
  }
  const text = await response.text();
  if (!expect.includes(response.status)) {
    let code: string | undefined;
    let message = text.slice(0, 200);
    try {
      const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
      code = parsed.error?.code;
      message = parsed.error?.message ?? message;
    } catch {
      // not JSON (an nginx error page): keep the text
    }
    throw new ApiError(method, path, response.status, code, message);
  }
  onHeaders?.(response.headers);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** fetch's "fetch failed" hides the reason (ECONNREFUSED …) in `cause`. */
export function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}
