import { useResource } from '../api/use-resource.js';

interface Provider {
  id: string;
  name?: string;
}

const labels: Record<string, string> = { google: 'Google', github: 'GitHub' };

/** One button per provider the server has configured; nothing when there are none. */
export function OAuthButtons() {
  const { data } = useResource<{ items: Provider[] } | Provider[]>('/api/auth/oauth/providers');
  const providers = Array.isArray(data) ? data : (data?.items ?? []);
  if (providers.length === 0) return null;
  return (
    <div className="oauth">
      <div className="divider">
        <span>or</span>
      </div>
      {providers.map((provider) => (
        // A full navigation: the server runs the redirect dance and comes back with the cookie set.
        <a key={provider.id} className="button secondary block" href={`/api/auth/oauth/${encodeURIComponent(provider.id)}/start`}>
          Continue with {provider.name ?? labels[provider.id] ?? provider.id}
        </a>
      ))}
    </div>
  );
}
