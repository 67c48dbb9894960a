/** The team inbox (F20): conversations with filters and search, a live thread, reply, read/unread and assignment. */
import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, errorText } from '../lib/api';
import { useAuth } from '../lib/auth';
import { useContactsAvailable } from '../lib/contacts';
import { conversationTitle, formatPhone, shortTime } from '../lib/format';
import type { Conversation, Message, Page, PhoneNumber, User } from '../lib/types';
import { MessageBubble } from '../components/MessageBubble';
import { MessageEditor, type EditorValue } from '../components/MessageEditor';
import { cannedRecipient } from '../components/CannedReplies';
import { CaseLinks } from '../components/CaseLinks';
import { OptOutBanner, optOutExplanation } from '../components/OptOutBanner';
import { BulkBar, StatusTabs, ThreadStatusActions, type StatusView } from '../components/ConversationStatus';
import { useDebounced } from '../lib/use-debounced';
import { ShortcutHelp, useInboxShortcuts } from '../components/InboxShortcuts';
import { useStickToBottom } from '../lib/use-stick-to-bottom';
import { useMaxBodyLength } from '../lib/provider-limits';
import { LinkContact } from '../components/LinkContact';
import { LabelChips } from '../components/LabelChips';
import { LabelFilter } from '../components/LabelFilter';
import { LabelPicker } from '../components/LabelPicker';
import { ContactPanel, ContactPanelToggle, ContactTags, useContactPanel } from '../components/ContactPanel';
import { useTimeline } from '../lib/notes';
import { NoteCard, ReplyOrNote } from '../components/ThreadNotes';

type Filter = 'all' | 'mine' | 'unassigned' | 'unread' | 'failed' | 'notlinked';

export function useNumbers() {
  return useQuery({ queryKey: ['numbers'], queryFn: () => api<Page<PhoneNumber>>('/numbers'), staleTime: 60_000, select: (d) => d.items });
}

export function useUsers() {
  return useQuery({ queryKey: ['users'], queryFn: () => api<Page<User>>('/users'), staleTime: 60_000, select: (d) => d.items });
}

export function InboxPage() {
  const { conversationId } = useParams();
  const [params, setParams] = useSearchParams();
  const filter = (params.get('filter') as Filter | null) ?? 'all';
  const numberId = params.get('numberId') ?? '';
  const q = params.get('q') ?? '';
  const [search, setSearch] = useState(q);
  const typed = useDebounced(search.trim(), 300);
  const numbers = useNumbers();
  const contacts = useContactsAvailable();

  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value && value !== 'all') next.set(key, value);
      else next.delete(key);
    }
    setParams(next, { replace: true });
  };

  // Search runs as you type, once typing pauses.
  useEffect(() => {
    if (typed !== q) update({ q: typed });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [typed]);

  const state = (params.get('state') as StatusView | null) ?? 'open';
  const [selected, setSelected] = useState<string[]>([]);
  const query = {
    state: state === 'any' ? undefined : state,
    assigned: filter === 'mine' ? 'me' : filter === 'unassigned' ? 'none' : undefined,
    unread: filter === 'unread' ? true : undefined,
    // Failed means the carrier did not deliver it too (undelivered).
    status: filter === 'failed' ? 'failed,undelivered' : undefined,
    notLinked: filter === 'notlinked' ? true : undefined,
    numberId: numberId || undefined,
    label: params.get('label') || undefined,
    q: q || undefined,
  };
  const list = useInfiniteQuery({
    queryKey: ['conversations', 'list', query],
    queryFn: ({ pageParam }) => api<Page<Conversation>>('/conversations', { query: { ...query, cursor: pageParam ?? undefined, limit: 50 } }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const conversations = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const shortcuts = useInboxShortcuts({ ids: conversations.map((c) => c.id), search: params.toString() });
  const filters: Array<[Filter, string]> = [
    ['all', 'All'],
    ['mine', 'Mine'],
    ['unassigned', 'Unassigned'],
    ['unread', 'Unread'],
    ['failed', 'Failed'],
  ];
  if (contacts.available) filters.push(['notlinked', 'Not linked']);

  return (
    <div className="inbox">
      <section className="conversation-pane" aria-label="Conversations">
        <div className="list-tools">
          <form
            className="search"
            role="search"
            onSubmit={(e) => {
              e.preventDefault();
              update({ q: search.trim() });
            }}
          >
            <input type="search" placeholder="Search messages or numbers" aria-label="Search conversations" value={search} onChange={(e) => setSearch(e.target.value)} />
          </form>
          <StatusTabs value={state} onChange={(view) => update({ state: view === 'open' ? '' : view })} />
          <div className="chips" role="tablist">
            {filters.map(([key, label]) => (
              <button key={key} role="tab" aria-selected={filter === key} className={`chip${filter === key ? ' active' : ''}`} onClick={() => update({ filter: key })}>
                {label}
              </button>
            ))}
          </div>
          <LabelFilter value={params.get('label') ?? ''} onChange={(label) => update({ label })} />
          {numbers.data && numbers.data.length > 1 && (
            <select aria-label="Number" value={numberId} onChange={(e) => update({ numberId: e.target.value })}>
              <option value="">All numbers</option>
              {numbers.data.map((n) => (
                <option key={n.id} value={n.id}>
                  {formatPhone(n.number)}
                </option>
              ))}
            </select>
          )}
        </div>
        {list.isError && <div className="notice error">{errorText(list.error)}</div>}
        <BulkBar ids={selected} onDone={() => setSelected([])} />
        <ul className="conversation-list" data-testid="conversation-list">
          {conversations.map((c) => (
            <li key={c.id} className="selectable">
              <input
                type="checkbox"
                className="select-row"
                aria-label={`Select ${conversationTitle(c)}`}
                checked={selected.includes(c.id)}
                onChange={(e) => setSelected(e.target.checked ? [...selected, c.id] : selected.filter((id) => id !== c.id))}
                data-testid="select-conversation"
              />
              <Link to={`/inbox/${c.id}${params.toString() ? `?${params}` : ''}`} className={`conversation${c.id === conversationId ? ' active' : ''}${c.unreadCount > 0 ? ' unread' : ''}`} data-testid="conversation" data-conversation-id={c.id}>
                <div className="row1">
                  <span className="title">{conversationTitle(c)}</span>
                  <time dateTime={c.updatedAt}>{shortTime(c.lastMessage?.createdAt ?? c.updatedAt)}</time>
                </div>
                <div className="row2">
                  <span className={`preview${c.lastMessage?.status === 'failed' || c.lastMessage?.status === 'undelivered' ? ' failed' : ''}`}>
                    {c.lastMessage?.direction === 'outbound' ? 'You: ' : ''}
                    {c.lastMessage?.body || (c.lastMessage?.mediaCount ? 'Attachment' : '')}
                  </span>
                  {c.unreadCount > 0 && (
                    <span className="badge" data-testid="unread-badge" aria-label={`${c.unreadCount} unread`}>
                      {c.unreadCount}
                    </span>
                  )}
                </div>
                <div className="row3 muted">via {formatPhone(c.ourNumber)}</div>
                <LabelChips labels={c.labels} />
              </Link>
            </li>
          ))}
        </ul>
        {list.isLoading && <p className="muted pad">Loading…</p>}
        {!list.isLoading && conversations.length === 0 && (
          <div className="empty pad">
            <p>No conversations{filter !== 'all' || q ? ' match' : ' yet'}.</p>
            <p className="muted">
              Start one with <Link to="/compose">New message</Link>, or text a sandbox number from the <Link to="/sandbox">Sandbox phone</Link>.
            </p>
          </div>
        )}
        {list.hasNextPage && (
          <button className="secondary load-more" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            Load more
          </button>
        )}
      </section>
      {shortcuts.helpOpen && <ShortcutHelp onClose={shortcuts.closeHelp} />}
      <section className="thread-pane" aria-label="Conversation">
        {conversationId ? <Thread key={conversationId} conversationId={conversationId} /> : <div className="empty center muted">Choose a conversation</div>}
      </section>
    </div>
  );
}

function Thread({ conversationId }: { conversationId: string }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const { user } = useAuth();
  const users = useUsers();
  const [retrying, setRetrying] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [panelOpen, setPanelOpen] = useContactPanel();
  const conversation = useQuery({ queryKey: ['conversation', conversationId], queryFn: () => api<Conversation>(`/conversations/${conversationId}`) });
  const thread = useInfiniteQuery({
    queryKey: ['thread', conversationId],
    queryFn: ({ pageParam }) => api<Page<Message>>(`/conversations/${conversationId}/messages`, { query: { cursor: pageParam ?? undefined, limit: 50 } }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    // Retries change no status (no live event): poll while a send is still on its way.
    refetchInterval: (query) => (query.state.data?.pages.some((p) => p.items.some((m) => m.direction === 'outbound' && (m.status === 'queued' || m.status === 'sending'))) ? 5000 : false),
  });
  const messages = useMemo(() => (thread.data?.pages.flatMap((p) => p.items) ?? []).slice().reverse(), [thread.data]);
  const c = conversation.data;
  const unread = c?.unreadCount ?? 0;
  const newestInbound = messages.filter((m) => m.direction === 'inbound').at(-1)?.id;

  const timeline = useTimeline(conversationId, messages, thread.hasNextPage);
  const newestId = timeline.newestId;
  const scroller = useStickToBottom(newestId);
  const numbers = useNumbers();
  const maxLength = useMaxBodyLength(numbers.data?.find((n) => n.id === c?.numberId)?.providerType);

  const refresh = () => {
    void client.invalidateQueries({ queryKey: ['conversations'] });
    void client.invalidateQueries({ queryKey: ['conversation', conversationId] });
  };
  const markRead = useMutation({ mutationFn: (read: boolean) => api(`/conversations/${conversationId}/read`, { method: 'POST', body: { read } }), onSuccess: refresh });
  const assign = useMutation({
    mutationFn: (assignedUserId: string | null) => api(`/conversations/${conversationId}/assign`, { method: 'POST', body: { assignedUserId } }),
    onSuccess: refresh,
    onError: (err) => setNotice(errorText(err)),
  });

  // Opening a thread (or a new message arriving in it while visible) marks it read.
  useEffect(() => {
    if (unread > 0 && document.visibilityState === 'visible' && !markRead.isPending) markRead.mutate(true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [conversationId, unread, newestInbound]);

  const send = async (value: EditorValue) => {
    if (!c) return;
    scroller.followOwnMessage();
    await api('/messages', {
      method: 'POST',
      body: { from: c.ourNumber, to: c.remoteNumbers.length === 1 ? c.remoteNumbers[0] : c.remoteNumbers, body: value.body || undefined, media: value.media.length ? value.media.map((m) => ({ id: m.id })) : undefined, sendAt: value.sendAt ?? undefined },
      headers: { 'idempotency-key': crypto.randomUUID() },
    });
    void client.invalidateQueries({ queryKey: ['thread', conversationId] });
  };

  const retry = async (message: Message) => {
    setRetrying(message.id);
    setNotice(null);
    try {
      await api(`/messages/${message.id}/retry`, { method: 'POST' });
      void client.invalidateQueries({ queryKey: ['thread', conversationId] });
    } catch (err) {
      setNotice(errorText(err));
    } finally {
      setRetrying(null);
    }
  };

  if (conversation.isError) return <div className="notice error pad">{errorText(conversation.error)}</div>;
  return (
    <div className={`thread${panelOpen && c ? ' with-contact-panel' : ''}`} data-thread-id={conversationId}>
      <header className="thread-head">
        <button className="icon-button back" onClick={() => navigate('/inbox')} aria-label="Back to conversations">
          ←
        </button>
        <div className="thread-title">
          <h2 data-testid="thread-title">{c ? conversationTitle(c) : '…'}</h2>
          {c && (
            <span className="muted">
              {c.contacts.length > 0 ? `${c.remoteNumbers.map(formatPhone).join(', ')} · ` : ''}via {formatPhone(c.ourNumber)}
            </span>
          )}
          {c && (
            <div className="thread-chips" data-testid="thread-chips">
              <LabelChips labels={c.labels} />
              <ContactTags contactIds={c.contacts.map((contact) => contact.id)} />
            </div>
          )}
        </div>
        <div className="thread-actions">
          <select aria-label="Assigned to" value={c?.assignedUserId ?? ''} onChange={(e) => assign.mutate(e.target.value || null)} data-testid="assign-select">
            <option value="">Unassigned</option>
            {(users.data ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.id === user?.id ? `Me (${u.name})` : u.name}
              </option>
            ))}
          </select>
          <button
            className="secondary small"
            // Like a mail client: marking unread closes the thread, so opening it is what reads it again.
            onClick={() => markRead.mutate(false, { onSuccess: () => navigate(`/inbox${window.location.search}`) })}
            disabled={markRead.isPending}
            data-testid="mark-unread"
          >
            Mark unread
          </button>
          {c && <ThreadStatusActions conversation={c} onChanged={refresh} />}
          {c && <LabelPicker conversation={c} onChanged={refresh} />}
          {c && <ContactPanelToggle open={panelOpen} onToggle={() => setPanelOpen(!panelOpen)} />}
          {c && c.contacts.length === 0 && <LinkContact conversationId={c.id} remote={c.remoteNumbers[0] ?? ''} onLinked={refresh} />}
          {c && <CaseLinks conversationId={c.id} />}
        </div>
      </header>
      {notice && (
        <div className="notice error" role="alert">
          {notice}
        </div>
      )}
      {c?.optOut && <OptOutBanner state={c.optOut} />}
      <div className="thread-body">
        <div className="messages" data-testid="thread" ref={scroller.boxRef}>
          <div className="messages-content" ref={scroller.contentRef}>
            {thread.hasNextPage && (
              <button className="secondary load-more" onClick={() => void thread.fetchNextPage()} disabled={thread.isFetchingNextPage}>
                Load older messages
              </button>
            )}
            {thread.isLoading && <p className="muted pad">Loading…</p>}
            {timeline.items.map((item, i) => {
              if (item.kind === 'note') return <NoteCard key={item.note.id} note={item.note} />;
              const m = item.message;
              const previous = timeline.items[i - 1];
              const previousAt = previous ? (previous.kind === 'note' ? previous.note.createdAt : previous.message.createdAt) : null;
              return <MessageBubble key={m.id} message={m} onRetry={retry} retrying={retrying === m.id} previousAt={previousAt} />;
            })}
          </div>
        </div>
        {scroller.unseen > 0 && (
          <button className="new-messages-pill" onClick={scroller.scrollToBottom} data-testid="new-messages-pill">
            ↓ New messages
          </button>
        )}
      </div>
      <div className="reply">
        <ReplyOrNote conversationId={conversationId} onNoteAdding={scroller.followOwnMessage}>
        {user?.sendPermission === 'none' ? (
          <p className="muted small">You may read this conversation but not reply. Ask an admin for send permission.</p>
        ) : c?.optOut ? (
          <p className="muted small" data-testid="composer-disabled">
            {optOutExplanation(c.optOut)}
          </p>
        ) : (
          <MessageEditor compact onSend={send} maxLength={maxLength} placeholder="Reply…" disabled={!c} cannedReplies={{ to: cannedRecipient(c) }} />
        )}
        </ReplyOrNote>
      </div>
      {panelOpen && c && <ContactPanel conversation={c} onClose={() => setPanelOpen(false)} onChanged={refresh} />}
    </div>
  );
}
