import { AsyncLocalStorage } from 'node:async_hooks';

interface RequestContext {
  requestId: string;
}

/**
 * The request being served, reachable from any code it awaits (internal calls, error reports)
 * without passing it down. createFastify enters it in an onRequest hook.
 */
const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` (and everything it starts) as part of the request `requestId`. */
export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId }, fn);
}

/** The id of the request whose work is running now; undefined outside a request (jobs, sockets, start-up). */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
