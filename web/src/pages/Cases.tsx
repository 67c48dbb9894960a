/** Cases (F23): the list, and one case with its messages, status and a reply box that sends in the case. */
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, errorText } from '../lib/api';
import type { Case } from '../lib/automation';
import { formatPhone, fullTime, toE164 } from '../lib/format';
import type { Conversation, Message, Page } from '../lib/types';
import { MessageBubble } from '../components/MessageBubble';
import { SegmentCounter } from '../components/MessageEditor';
import { LinkOpens } from '../components/LinkOpens';
import { useNumbers } from './Inbox';

function NewCaseForm({ conversationId }: { conversationId: string | null }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [title, setTitle] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const created = await api<Case>('/cases', { method: 'POST', body: { title, ...(conversationId ? { conversationId } : {}) } });
      await client.invalidateQueries({ queryKey: ['cases'] });
      navigate(`/cases/${created.id}`);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form className="card inline-form" onSubmit={submit} data-testid="new-case-form">
      <input name="caseTitle" placeholder="Case title, e.g. Crown fitting" required maxLength={300} value={title} onChange={(e) => setTitle(e.target.value)} />
      <button className="primary" type="submit" data-testid="create-case">
        Open case{conversationId ? ' for this conversation' : ''}
      </button>
      {error && (
        <div className="notice error" role="alert">
          {error}
        </div>
      )}
    </form>
  );
}

function CaseList() {
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? 'open';
  const conversationId = params.get('conversationId');
  const cases = useQuery({
    queryKey: ['cases', status, conversationId],
    queryFn: () => api<Page<Case>>('/cases', { query: { status: status === 'all' ? undefined : status, conversationId: conversationId ?? undefined, limit: 200 } }),
  });
  return (
    <div className="page cases-page">
      <h1>Cases</h1>
      <NewCaseForm conversationId={conversationId} />
      <div className="chips">
        {['open', 'closed', 'all'].map((s) => (
          <button key={s} className={`chip${status === s ? ' active' : ''}`} onClick={() => setParams({ ...(conversationId ? { conversationId } : {}), status: s })}>
            {s}
          </button>
        ))}
        {conversationId && (
          <Link to={`/inbox/${conversationId}`} className="chip">
            Back to the conversation
          </Link>
        )}
      </div>
      <ul className="card list" data-testid="case-list">
        {(cases.data?.items ?? []).length === 0 && <li className="muted">No cases.</li>}
        {(cases.data?.items ?? []).map((c) => (
          <li key={c.id} data-testid="case-item">
            <Link to={`/cases/${c.id}`}>
              <strong>{c.title}</strong> <small className="muted">[{c.token}]</small>
            </Link>{' '}
            <span className={`status status-${c.status}`}>{c.status}</span> <small className="muted">updated {fullTime(c.updatedAt)}</small>
          </li>
        ))}
      </ul>
    </div>
  );
}

function CaseReply({ kase, conversation }: { kase: Case; conversation: Conversation | null }) {
  const client = useQueryClient();
  const numbers = useNumbers();
  const [fromId, setFromId] = useState('');
  const [to, setTo] = useState('');
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const usable = (numbers.data ?? []).filter((n) => !n.systemNotification);
  const from = conversation ? conversation.ourNumber : (usable.find((n) => n.id === fromId) ?? usable[0])?.number;
  const recipients = conversation ? conversation.remoteNumbers : [toE164(to, usable.find((n) => n.number === from)?.defaultCountry ?? null) ?? to];
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('/messages', { method: 'POST', body: { from, to: recipients.length === 1 ? recipients[0] : recipients, body, caseId: kase.id }, headers: { 'idempotency-key': crypto.randomUUID() } });
      setBody('');
      await client.invalidateQueries({ queryKey: ['case', kase.id] });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card form-grid" onSubmit={submit} data-testid="case-reply">
      {conversation ? (
        <div className="muted">
          From {formatPhone(conversation.ourNumber)} to {conversation.remoteNumbers.map(formatPhone).join(', ')}
        </div>
      ) : (
        <div className="inline-form">
          <select name="caseFrom" aria-label="From" value={fromId} onChange={(e) => setFromId(e.target.value)}>
            {usable.map((n) => (
              <option key={n.id} value={n.id}>
                {formatPhone(n.number)}
              </option>
            ))}
          </select>
          <input name="caseTo" aria-label="To" placeholder="Phone number" required value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
      )}
      <textarea name="caseBody" aria-label="Message" rows={3} required value={body} onChange={(e) => setBody(e.target.value)} />
      <small className="muted">The case reference [{kase.token}] is added to the text; the count includes it.</small>
      <SegmentCounter body={`${body} [${kase.token}]`} />
      <div>
        <button className="primary" type="submit" disabled={busy || kase.status === 'closed' || !from} data-testid="case-send">
          {busy ? 'Sending…' : 'Send in case'}
        </button>
      </div>
      {error && (
        <div className="notice error" role="alert">
          {error}
        </div>
      )}
    </form>
  );
}

function CaseView({ caseId }: { caseId: string }) {
  const client = useQueryClient();
  const kase = useQuery({ queryKey: ['case', caseId], queryFn: () => api<Case & { messages: Message[] }>(`/cases/${caseId}`), refetchInterval: 3000 });
  const conversation = useQuery({
    queryKey: ['conversation', kase.data?.conversationId],
    queryFn: () => api<Conversation>(`/conversations/${kase.data!.conversationId}`),
    enabled: Boolean(kase.data?.conversationId),
  });
  const [error, setError] = useState<string | null>(null);
  if (kase.isLoading) return <div className="page">Loading…</div>;
  if (!kase.data) return <div className="page notice error">{errorText(kase.error)}</div>;
  const c = kase.data;
  const toggle = async () => {
    try {
      await api(`/cases/${c.id}`, { method: 'PATCH', body: { status: c.status === 'open' ? 'closed' : 'open' } });
      await client.invalidateQueries({ queryKey: ['case', c.id] });
      await client.invalidateQueries({ queryKey: ['cases'] });
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div className="page case-page" data-testid="case-view">
      <p>
        <Link to="/cases">← Cases</Link>
        {c.conversationId && (
          <>
            {' · '}
            <Link to={`/inbox/${c.conversationId}`}>Open the conversation</Link>
          </>
        )}
      </p>
      <h1>
        {c.title} <small className="muted" data-testid="case-token">[{c.token}]</small>
      </h1>
      <p>
        <span className={`status status-${c.status}`} data-testid="case-status">
          {c.status}
        </span>{' '}
        <button className="secondary small" onClick={() => void toggle()} data-testid="case-toggle">
          {c.status === 'open' ? 'Close case' : 'Reopen case'}
        </button>
      </p>
      {error && (
        <div className="notice error" role="alert">
          {error}
        </div>
      )}
      <div className="card thread" data-testid="case-messages">
        {c.messages.length === 0 && <p className="muted">No messages in this case yet.</p>}
        {c.messages.map((message) => (
          <div key={message.id}>
            <MessageBubble message={message} />
            <LinkOpens message={message} />
          </div>
        ))}
      </div>
      <CaseReply kase={c} conversation={conversation.data ?? null} />
    </div>
  );
}

export default function CasesPage() {
  const { caseId } = useParams();
  return caseId ? <CaseView caseId={caseId} /> : <CaseList />;
}
