import type { ReactNode } from 'react';
import { ErrorBoundary, type FallbackProps } from 'react-error-boundary';
import { Link } from '../router.js';

/**
 * Catches a screen's rendering failure so it shows a recoverable message while the shell (topbar,
 * navigation, other screens) keeps working. Moving to another address clears it (resetKey).
 */
export function ScreenBoundary({ resetKey, children }: { resetKey: string; children: ReactNode }) {
  return (
    <ErrorBoundary FallbackComponent={ScreenError} resetKeys={[resetKey]}>
      {children}
    </ErrorBoundary>
  );
}

function ScreenError({ error, resetErrorBoundary }: FallbackProps) {
  return (
    <section className="page narrow">
      <div className="card error-state" role="alert">
        <h1>This screen ran into a problem</h1>
        <p className="muted">
          Nothing you saved is lost, and the rest of FluxStudio keeps working. Try again, or go elsewhere from the navigation.
        </p>
        <details className="small">
          <summary>Technical details</summary>
          <code>{error instanceof Error ? error.message : String(error)}</code>
        </details>
        <div className="actions">
          <button type="button" className="button" onClick={resetErrorBoundary}>
            Try again
          </button>
          <Link to="/">Go to the start page</Link>
        </div>
      </div>
    </section>
  );
}

/** The navigation's own boundary: a failing sidebar leaves the open screen usable. */
export function NavigationBoundary({ children }: { children: ReactNode }) {
  return (
    <ErrorBoundary
      fallbackRender={({ resetErrorBoundary }) => (
        <div className="sidebar sidebar-error" role="alert">
          <p className="small">The navigation could not be shown.</p>
          <button type="button" className="button secondary small" onClick={resetErrorBoundary}>
            Try again
          </button>
        </div>
      )}
    >
      {children}
    </ErrorBoundary>
  );
}
