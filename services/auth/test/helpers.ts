import { createDatabase } from '@flux/server-kit';
import type { Database } from '../src/db/database.js';

/** Direct database access for tests that must move time (backdate rows) instead of waiting. */
export const testDatabase = () => createDatabase<Database>(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/flux_test', 2);

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/** A tiny HTTP client for one base URL, with an optional cookie jar like a browser's. */
export function client(baseUrl: string, { jar = false, ip }: { jar?: boolean; ip?: string } = {}) {
  const cookies = new Map<string, string>();
  const call = async (
    method: string,
    path: string,
    options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (ip) headers['x-forwarded-for'] = ip;
    if (jar && cookies.size > 0) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(baseUrl + path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      redirect: 'manual',
    });
    if (jar) {
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const index = pair!.indexOf('=');
        const name = pair!.slice(0, index);
        const value = pair!.slice(index + 1);
        if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) cookies.delete(name);
        else cookies.set(name, value);
      }
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: response.status, body, headers: response.headers };
  };
  return {
    cookies,
    get: (path: string, options?: { token?: string; headers?: Record<string, string> }) => call('GET', path, options),
    post: (path: string, body?: unknown, options?: { token?: string; headers?: Record<string, string> }) =>
      call('POST', path, { ...options, body }),
    delete: (path: string, options?: { token?: string; headers?: Record<string, string> }) => call('DELETE', path, options),
  };
}
