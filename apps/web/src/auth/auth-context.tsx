import type { PublicUser } from '@flux/shared';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useApi } from '../api/api-context.js';
import type { AuthGrant } from '../api/client.js';

/** `unreachable`: the session could not be checked (offline, gateway down); it may well be valid. */
type Status = 'loading' | 'signed-in' | 'signed-out' | 'unreachable';

interface AuthState {
  status: Status;
  user: PublicUser | null;
  accessToken: string | null;
  signedIn: (grant: AuthGrant) => void;
  signOut: () => Promise<void>;
  setUser: (user: PublicUser) => void;
  retry: () => void;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const [status, setStatus] = useState<Status>('loading');
  const [user, setUser] = useState<PublicUser | null>(null);
  const [accessToken, setAccessToken] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const retry = useCallback(() => {
    setStatus('loading');
    setAttempt((a) => a + 1);
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies(attempt): retry() bumps attempt to resume again
  useEffect(() => {
    // Tokens from this tab or another; null when any tab signs out or the session ends.
    const unsubscribe = api.tokens.subscribe((state, grant) => {
      setAccessToken(state?.accessToken ?? null);
      if (grant?.user) setUser(grant.user);
      if (!state) {
        setUser(null);
        setStatus('signed-out');
      }
    });
    let cancelled = false;
    api
      .resume()
      .then((me) => {
        if (cancelled) return;
        setUser(me);
        setStatus(me ? 'signed-in' : 'signed-out');
      })
      .catch((error: unknown) => {
        if (cancelled) return;
        setStatus(
          (error as { code?: string })?.code === 'network_error' || (error as { status?: number })?.status === 0
            ? 'unreachable'
            : 'signed-out',
        );
      });
    return () => {
      cancelled = true;
      unsubscribe();
    };
  }, [api, attempt]);

  const signedIn = useCallback(
    (grant: AuthGrant) => {
      api.adopt(grant);
      setUser(grant.user);
      setStatus('signed-in');
    },
    [api],
  );

  const signOut = useCallback(async () => {
    await api.signOut().catch(() => undefined);
    setUser(null);
    setStatus('signed-out');
  }, [api]);

  const value = useMemo(
    () => ({ status, user, accessToken, signedIn, signOut, setUser, retry }),
    [status, user, accessToken, signedIn, signOut, retry],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth outside <AuthProvider>');
  return state;
}

/** The signed-in user; only for screens behind the sign-in gate. */
export function useUser(): PublicUser {
  const { user } = useAuth();
  if (!user) throw new Error('useUser while signed out');
  return user;
}
