import type { PublicUser } from '@flux/shared';
import { ApiError, networkError, toApiError } from './errors.js';
import { TokenKeeper, type Channel, type TokenGrant } from './token-keeper.js';

export interface AuthGrant extends TokenGrant {
  user: PublicUser;
  refreshToken?: string;
}

export interface RequestOptions {
  body?: unknown;
  /** Sends the CSRF header: for calls that authenticate with the refresh cookie. */
  csrf?: boolean;
  /** Skip the one retry after a refresh (used by the refresh call itself). */
  noRetry?: boolean;
  signal?: AbortSignal;
}

type Fetch = typeof fetch;

/**
 * The one way the web app talks to the API: JSON in and out, the bearer token from memory, one
 * transparent refresh-and-retry on 401, and every failure as an ApiError with readable text.
 */
export class ApiClient {
  readonly tokens: TokenKeeper<AuthGrant>;
  private csrfToken: string | null = null;

  constructor(
    private readonly fetchImpl: Fetch = (...args) => fetch(...args),
    channel: Channel | null = createChannel(),
  ) {
    this.tokens = new TokenKeeper<AuthGrant>({ refresh: () => this.refreshWithCookie(), channel });
  }

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, signal ? { signal } : {});
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, { body });
  }
  patch<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { body });
  }
  delete<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('DELETE', path, { body });
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    let usedToken: string | null = null;
    const send = async (): Promise<Response> => {
      const headers: Record<string, string> = { accept: 'application/json' };
      const token = this.tokens.token;
      usedToken = token;
      if (token) headers.authorization = `Bearer ${token}`;
      if (options.csrf) headers['x-csrf-token'] = await this.csrf();
      let body: BodyInit | undefined;
      if (options.body instanceof FormData) body = options.body;
      else if (options.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(options.body);
      }
      try {
        return await this.fetchImpl(path, { method, headers, body, credentials: 'same-origin', signal: options.signal });
      } catch (error) {
        if ((error as Error)?.name === 'AbortError') throw error;
        throw networkError();
      }
    };

    let response = await send();
    if (response.status === 401 && !options.noRetry) {
      // The token may have expired while the tab slept; one refresh, then one retry. If a new
      // token arrived while this request was out, it is simply retried with that one.
      const current = this.tokens.token;
      const fresh = current && current !== usedToken ? current : await this.tokens.refresh().catch(() => null);
      if (fresh) response = await send();
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      if (response.status === 403 && options.csrf) this.csrfToken = null;
      throw toApiError(response.status, parsed, response.headers.get('retry-after'));
    }
    return parsed as T;
  }

  /** Downloads bytes that need the bearer token (files), for an object URL. */
  async blob(path: string): Promise<Blob> {
    const send = () => {
      const token = this.tokens.token;
      return this.fetchImpl(path, { headers: token ? { authorization: `Bearer ${token}` } : {}, credentials: 'same-origin' });
    };
    let response = await send().catch(() => {
      throw networkError();
    });
    if (response.status === 401 && (await this.tokens.refresh().catch(() => null))) response = await send();
    if (!response.ok) throw toApiError(response.status, await response.json().catch(() => undefined));
    return response.blob();
  }

  /** Uploads with progress (fetch cannot report upload progress; XMLHttpRequest can). */
  upload<T>(path: string, form: FormData, onProgress: (fraction: number) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', path);
      const token = this.tokens.token;
      if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
      xhr.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
      xhr.onerror = () => reject(networkError());
      xhr.onload = () => {
        let body: unknown;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          body = undefined;
        }
        if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
        else reject(toApiError(xhr.status, body, xhr.getResponseHeader('retry-after')));
      };
      xhr.send(form);
    });
  }

  /** Credential calls (sign-in, sign-up, password reset): a 401 here is an answer, not an expired token. */
  credential<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, { body, noRetry: true });
  }

  /** Sign-in, sign-up: keep the access token in memory (the refresh token stays in its cookie). */
  adopt(grant: AuthGrant): void {
    this.tokens.set(grant, grant);
  }

  /** Restores the session after a reload from the refresh cookie; null when there is none. */
  async resume(): Promise<PublicUser | null> {
    try {
      await this.tokens.refresh();
      return (await this.get<{ user: PublicUser }>('/api/auth/me')).user;
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return null;
      throw error;
    }
  }

  async signOut(): Promise<void> {
    try {
      await this.request('POST', '/api/auth/logout', { csrf: true, noRetry: true });
    } finally {
      this.tokens.clear();
    }
  }

  private async csrf(): Promise<string> {
    if (this.csrfToken) return this.csrfToken;
    // The shape of CsrfResponse in @flux/shared (a schema without a type alias).
    const { csrfToken } = await this.request<{ csrfToken: string }>('GET', '/api/auth/csrf', { noRetry: true });
    this.csrfToken = csrfToken;
    return csrfToken;
  }

  private async refreshWithCookie(): Promise<AuthGrant> {
    // The CSRF cookie is shared by all tabs and any of them may have replaced it since this tab
    // last asked: take a fresh one for each refresh (cheap, once per token lifetime).
    this.csrfToken = null;
    const send = () => this.request<AuthGrant>('POST', '/api/auth/refresh', { csrf: true, noRetry: true });
    try {
      return await send();
    } catch (error) {
      // A stale CSRF token (e.g. rotated by another tab) gets one more try with a new one.
      if (error instanceof ApiError && error.status === 403) {
        this.csrfToken = null;
        return send();
      }
      throw error;
    }
  }
}

function createChannel(): Channel | null {
  return typeof BroadcastChannel === 'undefined' ? null : (new BroadcastChannel('flux-auth') as unknown as Channel);
}
