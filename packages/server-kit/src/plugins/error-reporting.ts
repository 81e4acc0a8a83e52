import fp from 'fastify-plugin';
import { createErrorReporter, type ErrorReporter } from '../error-reporting.js';
import { currentRequestId } from '../request-context.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Sentry, when SENTRY_DSN is set; undefined otherwise (nothing is sent, nothing is loaded). */
    errorReporter: ErrorReporter | undefined;
  }
}

export interface ErrorReportingPluginOptions {
  dsn: string | undefined;
  service: string;
  environment: string;
}

/**
 * `app.errorReporter` for the error handler's 5xx answers, and unhandled rejections and uncaught
 * exceptions reported with the id of the request they came from (Node runs the listener in the rejected promise's async
 * context). What happens next is unchanged: runService's close-with-grace still shuts down, and
 * the reports are flushed while the app closes.
 */
export const fluxErrorReporting = fp<ErrorReportingPluginOptions>(
  async (app, options) => {
    const reporter = await createErrorReporter(options);
    app.decorate('errorReporter', reporter);
    if (!reporter) return;
    const onRejection = (reason: unknown) => reporter.capture(reason, { source: 'unhandled_rejection', requestId: currentRequestId() });
    // The monitor event observes an uncaught exception without changing what happens next.
    const onException = (err: Error) => reporter.capture(err, { source: 'uncaught_exception', requestId: currentRequestId() });
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtExceptionMonitor', onException);
    app.addHook('onClose', async () => {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtExceptionMonitor', onException);
      await reporter.close();
    });
  },
  { name: 'flux-error-reporting', fastify: '5.x' },
);
