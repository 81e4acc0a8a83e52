import type { PublicUser } from '@flux/shared';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useApi } from '../api/api-context.js';
import type { AuthGrant } from '../api/client.js';

type Status = 'loading' | 'signed-in' | 'signed-out';

interface AuthState {
  status: Status;
  user: PublicUser | null;
  accessToken: string | null;
  signedIn: (grant: AuthGrant) => void;
  signOut: () => Promise<void>;
  setUser: (user: PublicUser) => void;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const [status, setStatus] = useState<Status>('loading');
  const [user, setUser] = useState<PublicUser | null>(null);
  const [accessToken, setAccessToken] = useState<string | null>(null);

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
      .catch(() => !cancelled && setStatus('signed-out'));
    return () => {
      cancelled = true;
      unsubscribe();
    };
  }, [api]);

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
    () => ({ status, user, accessToken, signedIn, signOut, setUser }),
    [status, user, accessToken, signedIn, signOut],
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
