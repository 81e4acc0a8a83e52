// Talking to the stack the way a client does: JSON over HTTP through nginx, sign-ups, invitations
// accepted from the dev outbox, and Socket.IO connections.
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';

export interface User {
  id: string;
  email: string;
  accessToken: string;
}

const PASSWORD = `Bench-${randomUUID()}-correct-horse`;

/**
 * A JSON request; throws with the answer when it is not 2xx. A 503 (a dependency busy, as on a
 * crowded machine) is retried after its Retry-After, a few times: setting up a scenario is not what it measures.
 */
export async function api<T>(baseUrl: string, method: string, path: string, user?: { accessToken: string }, body?: unknown): Promise<T> {
  let response: Response;
  for (let attempt = 1; ; attempt++) {
    response = await fetch(baseUrl + path, {
      method,
      headers: {
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(user && { authorization: `Bearer ${user.accessToken}` }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status !== 503 || attempt === 5) break;
    await response.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after') ?? 1) * 1000));
  }
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

/** A new account through the public sign-up (argon2id: ~30 ms of a core each). */
export async function signup(baseUrl: string, name: string): Promise<User> {
  const answer = await api<{ user: { id: string; email: string }; accessToken: string }>(baseUrl, 'POST', '/api/auth/signup', undefined, {
    email: `bench-${randomUUID()}@example.com`,
    password: PASSWORD,
    name,
  });
  return { id: answer.user.id, email: answer.user.email, accessToken: answer.accessToken };
}

/** Joins `user` to the organization the way a person does: invited by `owner`, the mailed link (dev outbox) accepted. */
export async function joinOrganization(baseUrl: string, owner: User, organizationId: string, user: User): Promise<void> {
  await api(baseUrl, 'POST', `/api/organizations/${organizationId}/members`, owner, { email: user.email, role: 'member' });
  for (let attempt = 0; attempt < 200; attempt++) {
    const { items } = await api<{ items: { text: string }[] }>(baseUrl, 'GET', `/api/auth/dev/outbox?to=${encodeURIComponent(user.email)}`);
    const token = items.map((mail) => /invit[^\s]*token=([A-Za-z0-9._~-]+)/i.exec(mail.text)?.[1]).find(Boolean);
    if (token) return void (await api(baseUrl, 'POST', '/api/invitations/accept', user, { token }));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no invitation mail reached ${user.email}`);
}

/** A Socket.IO client over WebSocket only, no reconnection (a benchmark counts failures, it does not hide them). */
export const connectSocket = (url: string, token?: string, auth: Record<string, unknown> = {}) =>
  new Promise<Socket>((resolve, reject) => {
    const socket = io(url, {
      path: '/socket.io/',
      transports: ['websocket'],
      auth: { ...auth, ...(token && { token }) },
      forceNew: true,
      reconnection: false,
    });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });

/** `make(i)` for i < count, `size` at a time. */
export async function inBatches<T>(count: number, size: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += size)
    out.push(...(await Promise.all(Array.from({ length: Math.min(size, count - i) }, (_, j) => make(i + j)))));
  return out;
}
