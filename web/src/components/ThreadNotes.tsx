/**
 * Private notes in the thread (issue 12): the yellow note card in the timeline, the Reply / Note
 * switch above the composer, and the note composer with @mention autocomplete. Notes are never
 * sent; the card and the composer say so.
 */
import { useId, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, errorText } from '../lib/api';
import { useAuth } from '../lib/auth';
import { fullTime, shortTime } from '../lib/format';
import { mentionAt, splitMentions, type Mentionable, type Note } from '../lib/notes';
import './notes.css';

export function NoteCard({ note }: { note: Note }) {
  const { user, isAdmin } = useAuth();
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({
    mutationFn: () => api(`/conversations/${note.conversationId}/notes/${note.id}`, { method: 'DELETE' }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['notes', note.conversationId] }),
  });
  const handles = useMemo(() => new Set(note.mentions.flatMap((m) => [m.handle, m.name.replace(/\s+/g, '').toLowerCase()])), [note.mentions]);
  const canDelete = isAdmin || (user !== null && user.id === note.authorId);
  return (
    <article className="note-row" data-testid="note" data-note-id={note.id} aria-label={`Private note by ${note.author?.name ?? 'a former teammate'}`}>
      <div className="note-card">
        <header className="note-head">
          <span className="note-label">
            <svg width="12" height="12" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.4" aria-hidden="true">
              <path d="M6 11h12v10H6zM8 11V7a4 4 0 0 1 8 0v4" />
            </svg>{' '}
            Private note
          </span>
          <span className="note-author" data-testid="note-author">
            {note.author?.name ?? 'Former teammate'}
          </span>
          <time dateTime={note.createdAt} title={fullTime(note.createdAt)}>
            {shortTime(note.createdAt)}
          </time>
        </header>
        <div className="note-body" data-testid="note-body">
          {splitMentions(note.body, handles).map((part, i) =>
            part.mention ? (
              <mark key={i} className="mention">
                {part.text}
              </mark>
            ) : (
              <span key={i}>{part.text}</span>
            ),
          )}
        </div>
        <footer className="note-foot">
          <span className="muted">Only your team sees this</span>
          {canDelete &&
            (confirming ? (
              <>
                <button className="link-button danger-text" onClick={() => remove.mutate()} disabled={remove.isPending} data-testid="note-delete-confirm">
                  Delete note
                </button>
                <button className="link-button" onClick={() => setConfirming(false)}>
                  Keep
                </button>
              </>
            ) : (
              <button className="link-button" onClick={() => setConfirming(true)} aria-label="Delete this note" data-testid="note-delete">
                Delete
              </button>
            ))}
          {remove.isError && <span className="error-text">{errorText(remove.error)}</span>}
        </footer>
      </div>
    </article>
  );
}

type Mode = 'reply' | 'note';

/**
 * Tabs above the composer: "Reply" (the children, kept mounted so a draft survives a switch) and
 * "Note" (mounted only while chosen, so the page has one composer text box; its draft is kept
 * here). Arrow keys move between the tabs, as in any tab list.
 */
export function ReplyOrNote({ conversationId, children, onNoteAdding }: { conversationId: string; children: ReactNode; onNoteAdding?: () => void }) {
  const [mode, setMode] = useState<Mode>('reply');
  const [draft, setDraft] = useState('');
  const id = useId();
  const tabs = useRef<Record<Mode, HTMLButtonElement | null>>({ reply: null, note: null });
  const choose = (next: Mode) => {
    setMode(next);
    tabs.current[next]?.focus();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowRight' || event.key === 'ArrowLeft' || event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      choose(event.key === 'Home' ? 'reply' : event.key === 'End' ? 'note' : mode === 'reply' ? 'note' : 'reply');
    }
  };
  const tab = (value: Mode, label: string) => (
    <button
      ref={(el) => {
        tabs.current[value] = el;
      }}
      type="button"
      role="tab"
      id={`${id}-${value}-tab`}
      aria-selected={mode === value}
      aria-controls={`${id}-${value}`}
      tabIndex={mode === value ? 0 : -1}
      className={`composer-tab composer-tab-${value}${mode === value ? ' active' : ''}`}
      onClick={() => setMode(value)}
      data-testid={`composer-tab-${value}`}
    >
      {label}
    </button>
  );
  return (
    <div className={`reply-or-note mode-${mode}`}>
      <div className="composer-tabs" role="tablist" aria-label="Reply to the customer or write a private note" onKeyDown={onKeyDown}>
        {tab('reply', 'Reply')}
        {tab('note', 'Private note')}
      </div>
      <div role="tabpanel" id={`${id}-reply`} aria-labelledby={`${id}-reply-tab`} hidden={mode !== 'reply'}>
        {children}
      </div>
      <div role="tabpanel" id={`${id}-note`} aria-labelledby={`${id}-note-tab`} hidden={mode !== 'note'}>
        {mode === 'note' && <NoteComposer conversationId={conversationId} onAdding={onNoteAdding} body={draft} setBody={setDraft} />}
      </div>
    </div>
  );
}

const MAX_NOTE = 4000;

export function NoteComposer({ conversationId, onAdding, body, setBody }: { conversationId: string; onAdding?: () => void; body: string; setBody(body: string): void }) {
  const client = useQueryClient();
  const [caret, setCaret] = useState(body.length);
  const [active, setActive] = useState(0);
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const listId = useId();
  const team = useQuery({
    queryKey: ['mentionable', conversationId],
    queryFn: () => api<{ items: Mentionable[] }>(`/conversations/${conversationId}/notes/mentionable`),
    staleTime: 60_000,
    select: (data) => data.items,
  });
  const typing = mentionAt(body, caret);
  const options = useMemo(() => {
    if (!typing || typing.start === dismissedAt) return [];
    const q = typing.query;
    return (team.data ?? []).filter((u) => u.handle.startsWith(q) || u.name.toLowerCase().split(/\s+/).some((word) => word.startsWith(q)) || u.name.replace(/\s+/g, '').toLowerCase().startsWith(q)).slice(0, 8);
  }, [typing?.start, typing?.query, dismissedAt, team.data]);
  const open = options.length > 0;
  const current = Math.min(active, Math.max(0, options.length - 1));

  const add = useMutation({
    mutationFn: (text: string) => api<Note>(`/conversations/${conversationId}/notes`, { method: 'POST', body: { body: text } }),
    onSuccess: () => {
      setBody('');
      setCaret(0);
      void client.invalidateQueries({ queryKey: ['notes', conversationId] });
      box.current?.focus();
    },
    onError: (err) => setError(errorText(err)),
  });

  const insert = (user: Mentionable) => {
    if (!typing) return;
    const before = body.slice(0, typing.start);
    const after = body.slice(caret);
    const text = `${before}@${user.handle} ${after.replace(/^\s+/, '')}`;
    const at = before.length + user.handle.length + 2;
    setBody(text);
    setCaret(at);
    setActive(0);
    requestAnimationFrame(() => {
      box.current?.focus();
      box.current?.setSelectionRange(at, at);
    });
  };

  const submit = () => {
    const text = body.trim();
    if (!text || add.isPending) return;
    setError(null);
    onAdding?.();
    add.mutate(text);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (open) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        setActive((current + (event.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        insert(options[current]!);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        setDismissedAt(typing?.start ?? null);
        return;
      }
    }
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };

  const tooLong = body.trim().length > MAX_NOTE;
  return (
    <form
      className="note-composer"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <div className="mention-anchor">
        <textarea
          ref={box}
          name="note"
          rows={2}
          value={body}
          placeholder="Note for your team only — type @ to mention"
          aria-label="Private note"
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={open}
          aria-controls={listId}
          aria-activedescendant={open ? `${listId}-${current}` : undefined}
          onChange={(event) => {
            setBody(event.target.value);
            setCaret(event.target.selectionStart);
            setActive(0);
            setError(null);
          }}
          onSelect={(event) => setCaret(event.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
          data-testid="note-input"
        />
        {open && (
          <ul className="mention-list" role="listbox" id={listId} aria-label="Team members" data-testid="mention-list">
            {options.map((user, i) => (
              <li
                key={user.id}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === current}
                className={i === current ? 'active' : undefined}
                // Keeps the focus in the text box while choosing with the mouse.
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => insert(user)}
                data-testid="mention-option"
              >
                <strong>{user.name}</strong> <span className="muted">@{user.handle}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="note-actions">
        <span className={tooLong ? 'error-text small' : 'muted small'}>{tooLong ? `${body.trim().length} / ${MAX_NOTE}: too long for a note` : 'Ctrl+Enter adds the note'}</span>
        <button type="submit" className="note-submit" disabled={!body.trim() || tooLong || add.isPending} data-testid="note-submit">
          {add.isPending ? 'Adding…' : 'Add note'}
        </button>
      </div>
      {error && (
        <div className="notice error" role="alert" data-testid="note-error">
          {error}
        </div>
      )}
    </form>
  );
}
