/** A placeholder in the shape of a page while its data loads, announced once as "Loading". */
export function PageSkeleton() {
  return (
    <div className="page skeleton-page" role="status" aria-label="Loading" aria-busy="true" data-testid="skeleton">
      <span className="skeleton skeleton-title" />
      <span className="skeleton skeleton-line short" />
      <div className="skeleton-card">
        <span className="skeleton skeleton-line" />
        <span className="skeleton skeleton-line" />
        <span className="skeleton skeleton-line short" />
      </div>
    </div>
  );
}
