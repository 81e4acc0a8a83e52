import type { App } from '@flux/server-kit';

/** An answer, the same whether it came from `app.inject` or a real socket. */
export interface HttpAnswer<T = unknown> {
  status: number;
  /** Parsed JSON; the raw text when it is not JSON; `undefined` when empty. */
  body: T;
  headers: Headers;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

export interface RequestOptions {
  /** Sent as `Authorization: Bearer <token>`; overrides the client's own. */
  token?: string;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
}

export interface SendOptions extends RequestOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is (set `content-type` yourself), e.g. broken JSON or a CSV. */
  raw?: string | Buffer;
  /** Sent as multipart/form-data. */
  form?: FormData;
}

/** Anything with fastify's `inject`, e.g. the `App` a service's `buildApp` returns. */
export type InjectTarget = Pick<App, 'inject'>;

export interface HttpClientOptions {
  /** A default bearer token (`http.as(user)` switches it). */
  token?: string;
  /** Keep cookies like a browser (`Set-Cookie` in, `Cookie` out). */
  jar?: boolean;
  /** Sent as `X-Forwarded-For` (the services trust loopback proxies), to act as another client IP. */
  ip?: string;
  headers?: Record<string, string>;
}

export interface HttpClient {
  request<T = unknown>(method: HttpMethod, path: string, options?: SendOptions): Promise<HttpAnswer<T>>;
  get<T = unknown>(path: string, options?: RequestOptions): Promise<HttpAnswer<T>>;
  post<T = unknown>(path: string, body?: unknown, options?: Omit<SendOptions, 'body'>): Promise<HttpAnswer<T>>;
  put<T = unknown>(path: string, body?: unknown, options?: Omit<SendOptions, 'body'>): Promise<HttpAnswer<T>>;
  patch<T = unknown>(path: string, body?: unknown, options?: Omit<SendOptions, 'body'>): Promise<HttpAnswer<T>>;
  delete<T = unknown>(path: string, options?: SendOptions): Promise<HttpAnswer<T>>;
  /** The same client (and cookie jar) acting as someone else. */
  as(who: string | { accessToken: string } | undefined): HttpClient;
  /** The cookie jar (empty unless `jar: true`). */
  readonly cookies: Map<string, string>;
}

interface Wire {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  payload: string | Buffer | FormData | undefined;
}
type Transport = (request: Wire) => Promise<{ status: number; text: string; headers: Headers }>;

function parse(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const fetchTransport =
  (baseUrl: string): Transport =>
  async ({ method, url, headers, payload }) => {
    // Never follow redirects: tests assert them, and `inject` does not follow them either.
    // fetch wants an ArrayBuffer-backed view; a Buffer may sit on a shared pool.
    const body = Buffer.isBuffer(payload) ? new Uint8Array(payload) : payload;
    const response = await fetch(baseUrl + url, { method, headers, body, redirect: 'manual' });
    return { status: response.status, text: await response.text(), headers: response.headers };
  };

const injectTransport =
  (app: InjectTarget): Transport =>
  async ({ method, url, headers, payload }) => {
    const response = await app.inject({ method, url, headers, ...(payload !== undefined && { payload }) });
    const out = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) out.append(name, String(one));
    }
    return { status: response.statusCode, text: response.body, headers: out };
  };

function keepCookies(jar: Map<string, string>, headers: Headers): void {
  for (const line of headers.getSetCookie()) {
    const pair = line.split(';', 1)[0] ?? '';
    const index = pair.indexOf('=');
    if (index <= 0) continue;
    const name = pair.slice(0, index).trim();
    const value = pair.slice(index + 1);
    if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
}

/**
 * One JSON client for tests: `httpClient(app)` goes through `app.inject` (no socket),
 * `httpClient('http://127.0.0.1:3001')` through a real connection (a listening app, nginx).
 *
 *   const http = httpClient(app, { token: alice.accessToken });
 *   const created = await http.post<Conversation>('/api/conversations', { type: 'group', memberIds });
 *   expect(created.status).toBe(201);
 *   expect((await http.as(bob).get<ErrorBody>(`/api/conversations/${created.body.id}`)).status).toBe(404);
 */
export function httpClient(target: string | InjectTarget, options: HttpClientOptions = {}): HttpClient {
  const transport = typeof target === 'string' ? fetchTransport(target.replace(/\/$/, '')) : injectTransport(target);
  return make(transport, options, new Map());
}

function make(transport: Transport, defaults: HttpClientOptions, cookies: Map<string, string>): HttpClient {
  async function request<T>(method: HttpMethod, path: string, options: SendOptions = {}): Promise<HttpAnswer<T>> {
    const headers: Record<string, string> = { ...defaults.headers, ...options.headers };
    const token = options.token ?? defaults.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (defaults.ip) headers['x-forwarded-for'] = defaults.ip;
    if (defaults.jar && cookies.size > 0) headers.cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    let payload: string | Buffer | FormData | undefined;
    if (options.form !== undefined) payload = options.form;
    else if (options.raw !== undefined) payload = options.raw;
    else if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const query = Object.entries(options.query ?? {}).filter(
      (entry): entry is [string, string | number | boolean] => entry[1] !== undefined,
    );
    const search = new URLSearchParams(query.map(([name, value]) => [name, String(value)])).toString();
    const url = search ? `${path}${path.includes('?') ? '&' : '?'}${search}` : path;

    const answer = await transport({ method, url, headers, payload });
    if (defaults.jar) keepCookies(cookies, answer.headers);
    // The caller states the success type it expects; error answers are read as ErrorBody.
    return { status: answer.status, body: parse(answer.text) as T, headers: answer.headers };
  }

  return {
    request,
    get: (path, options) => request('GET', path, options),
    post: (path, body, options) => request('POST', path, { ...options, body }),
    put: (path, body, options) => request('PUT', path, { ...options, body }),
    patch: (path, body, options) => request('PATCH', path, { ...options, body }),
    delete: (path, options) => request('DELETE', path, options),
    as: (who) => make(transport, { ...defaults, token: typeof who === 'string' ? who : who?.accessToken }, cookies),
    cookies,
  };
}
