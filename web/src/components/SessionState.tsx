/** Live state of a session-based carrier account (SMPP bind) on its provider card, refreshed every few seconds. */
import { useQuery } from '@tanstack/react-query';
import { api } from '../lib/api';
import type { ProviderAccount } from '../lib/types';

const LABEL = { bound: 'Bound', binding: 'Binding…', disconnected: 'Disconnected' } as const;

export function SessionState({ account }: { account: ProviderAccount }) {
  const live = useQuery({
    queryKey: ['provider-account', account.id],
    queryFn: () => api<ProviderAccount>(`/provider-accounts/${account.id}`),
    initialData: account,
    refetchInterval: 3000,
  });
  const session = live.data?.session;
  if (!session) return null;
  return (
    <>
      <dt>Session</dt>
      <dd data-testid="session-state" data-state={session.state}>
        <span className={`pill session-${session.state}`}>{LABEL[session.state]}</span> since {new Date(session.since).toLocaleString()}
        {session.lastError && <div className="muted">Last error: {session.lastError}</div>}
      </dd>
    </>
  );
}
