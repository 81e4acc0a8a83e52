/** What an error report carries besides the error: enough to find the request in the logs. */
export interface ErrorContext {
  requestId?: string;
  method?: string;
  route?: string;
  /** how the error surfaced: a 5xx answer, an unhandled rejection or an uncaught exception */
  source: 'request' | 'unhandled_rejection' | 'uncaught_exception';
}

export interface ErrorReporter {
  capture(error: unknown, context: ErrorContext): void;
  /** Sends what is queued (at most `timeoutMs`) and stops. */
  close(timeoutMs?: number): Promise<void>;
}

export interface ErrorReporterOptions {
  /** SENTRY_DSN; without it there is no reporter at all. */
  dsn: string | undefined;
  service: string;
  environment: string;
}

/**
 * A Sentry client of this app's own (not the SDK's global one: no instrumentation, no patched
 * modules, no process handlers of its own), or undefined when no DSN is set, in which case
 * `@sentry/node` is never even imported.
 */
export async function createErrorReporter({ dsn, service, environment }: ErrorReporterOptions): Promise<ErrorReporter | undefined> {
  if (!dsn) return undefined;
  const Sentry = await import('@sentry/node');
  const client = new Sentry.NodeClient({
    dsn,
    environment,
    transport: Sentry.makeNodeTransport,
    stackParser: Sentry.defaultStackParser,
    integrations: [],
    sendClientReports: false,
    initialScope: { tags: { service } },
  });
  client.init();
  return {
    capture(error, { requestId, method, route, source }) {
      const scope = new Sentry.Scope();
      scope.setClient(client);
      scope.setTags({ service, source, ...(requestId !== undefined && { request_id: requestId }) });
      if (method !== undefined || route !== undefined) scope.setContext('request', { method, route });
      client.captureException(error, undefined, scope);
    },
    async close(timeoutMs = 2000) {
      await client.close(timeoutMs);
    },
  };
}
