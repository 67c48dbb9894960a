/** The signed-in user (GET /me), sign-in, sign-out and first-run set-up. */
import { createContext, useContext, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, setCsrfToken } from './api';
import type { Me, User } from './types';

interface AuthState {
  me: Me | null;
  user: User | null;
  isAdmin: boolean;
  isOwner: boolean;
  loading: boolean;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  setUp(input: { tenantName: string; name: string; email: string; password: string }): Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

async function fetchMe(): Promise<Me | null> {
  try {
    const me = await api<Me>('/me');
    setCsrfToken(me.csrfToken);
    return me;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const meQuery = useQuery({ queryKey: ['me'], queryFn: fetchMe, staleTime: 60_000, retry: 1 });
  const me = meQuery.data ?? null;
  const user = me?.user ?? null;

  const afterSignIn = async (csrf: string) => {
    setCsrfToken(csrf);
    // Drop the previous user's data but keep the ['me'] query its observer is attached to.
    client.removeQueries({ predicate: (query) => query.queryKey[0] !== 'me' });
    client.setQueryData(['me'], await fetchMe());
  };

  const state: AuthState = {
    me,
    user,
    isAdmin: user !== null && user.role !== 'agent',
    isOwner: user?.role === 'owner',
    loading: meQuery.isLoading,
    async signIn(email, password) {
      const result = await api<{ user: User; csrfToken: string }>('/auth/login', { method: 'POST', body: { email, password } });
      await afterSignIn(result.csrfToken);
    },
    async signOut() {
      try {
        await api('/auth/logout', { method: 'POST' });
      } finally {
        setCsrfToken(null);
        client.setQueryData(['me'], null);
        client.removeQueries({ predicate: (query) => query.queryKey[0] !== 'me' });
      }
    },
    async setUp(input) {
      const result = await api<{ user: User; csrfToken: string }>('/auth/setup', { method: 'POST', body: input });
      await afterSignIn(result.csrfToken);
    },
  };
  return <AuthContext.Provider value={state}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth outside AuthProvider');
  return state;
}
