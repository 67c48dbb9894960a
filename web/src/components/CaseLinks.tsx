/** The cases of a conversation, linked from its thread header (F23). */
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api } from '../lib/api';
import type { Case } from '../lib/automation';
import type { Page } from '../lib/types';
import './automation.css';

export function CaseLinks({ conversationId }: { conversationId: string }) {
  const cases = useQuery({ queryKey: ['cases', 'conversation', conversationId], queryFn: () => api<Page<Case>>('/cases', { query: { conversationId, limit: 20 } }) });
  const items = cases.data?.items ?? [];
  return (
    <span className="case-links" data-testid="case-links">
      {items.map((c) => (
        <Link key={c.id} to={`/cases/${c.id}`} className="chip" title={c.title}>
          {c.token} · {c.status}
        </Link>
      ))}
      <Link to={`/cases?conversationId=${encodeURIComponent(conversationId)}`} className="chip" data-testid="conversation-cases">
        {items.length ? 'Cases' : 'Open a case'}
      </Link>
    </span>
  );
}
