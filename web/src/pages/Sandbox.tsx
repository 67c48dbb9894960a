/** Sandbox phone (F30): be an outside person texting one of our sandbox numbers, and see the replies. */
import { useMemo, useRef, useState, type FormEvent, type MutableRefObject } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, errorText } from '../lib/api';
import { useAuth } from '../lib/auth';
import { formatPhone, guessCountry, shortTime, toE164 } from '../lib/format';
import type { Message, Page, ProviderAccount } from '../lib/types';
import { MediaView, StatusBadge } from '../components/MessageBubble';
import { useNumbers } from './Inbox';
import { Icon } from '../components/Icon';
import { useStickToBottom } from '../lib/use-stick-to-bottom';

function randomHandset(): string {
  return `+1555${String(Math.floor(1000000 + Math.random() * 8999999))}`;
}

export default function SandboxPage() {
  const { isAdmin } = useAuth();
  const client = useQueryClient();
  const numbers = useNumbers();
  const accounts = useQuery({ queryKey: ['provider-accounts'], queryFn: () => api<Page<ProviderAccount>>('/provider-accounts'), enabled: isAdmin, select: (d) => d.items });
  const sandboxNumbers = useMemo(() => {
    const all = numbers.data ?? [];
    if (!accounts.data) return all;
    const sandboxIds = new Set(accounts.data.filter((a) => a.type === 'sandbox').map((a) => a.id));
    return all.filter((n) => sandboxIds.has(n.providerAccountId));
  }, [numbers.data, accounts.data]);
  const [handset, setHandset] = useState(() => localStorage.getItem('sandbox.handset') ?? randomHandset());
  const [toId, setToId] = useState('');
  const [body, setBody] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const followRef = useRef<() => void>(() => undefined);
  const target = sandboxNumbers.find((n) => n.id === toId) ?? sandboxNumbers[0];
  const remote = toE164(handset, guessCountry()) ?? handset;

  const history = useQuery({
    queryKey: ['phone', remote, target?.number],
    queryFn: () => api<Page<Message>>('/messages', { query: { number: remote, limit: 100 } }),
    enabled: Boolean(target && remote.startsWith('+')),
    select: (d) =>
      d.items
        .filter((m) => {
          const to = Array.isArray(m.to) ? m.to : [m.to];
          return (m.from === remote && to.includes(target!.number)) || (m.from === target!.number && to.includes(remote));
        })
        .reverse(),
  });

  const send = async (event: FormEvent) => {
    event.preventDefault();
    if (!target) return;
    setBusy(true);
    setError(null);
    try {
      let media: Array<{ id: string }> | undefined;
      if (file) {
        const form = new FormData();
        form.append('file', file, file.name);
        const saved = await api<{ id: string }>('/media', { method: 'POST', body: form });
        media = [{ id: saved.id }];
      }
      followRef.current();
      await api('/sandbox/inbound', { method: 'POST', body: { from: remote, to: target.number, body: body || undefined, media } });
      localStorage.setItem('sandbox.handset', handset);
      setBody('');
      setFile(null);
      if (fileInput.current) fileInput.current.value = '';
      void client.invalidateQueries({ queryKey: ['phone'] });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page sandbox-page">
      <h1>Sandbox phone</h1>
      <p className="muted">
        Pretend to be a customer: text one of your sandbox numbers from a virtual handset. Replies from the inbox appear here. Numbers ending in 0666 are unreachable (their messages end undelivered).
      </p>
      {sandboxNumbers.length === 0 ? (
        <div className="notice">No sandbox numbers yet. {isAdmin ? 'Add a Sandbox provider account and a number under Admin.' : 'Ask an admin to add one.'}</div>
      ) : (
        <div className="phone" data-testid="sandbox-phone">
          <div className="phone-head">
            <label>
              This phone
              <input name="handset" value={handset} onChange={(e) => setHandset(e.target.value)} />
            </label>
            <label>
              Texting
              <select name="sandboxTo" value={target?.id ?? ''} onChange={(e) => setToId(e.target.value)}>
                {sandboxNumbers.map((n) => (
                  <option key={n.id} value={n.id}>
                    {formatPhone(n.number)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <PhoneScreen messages={history.data ?? []} remote={remote} target={target?.number ?? ''} followRef={followRef} />
          <form className="phone-compose" onSubmit={send}>
            <input name="phoneBody" aria-label="Text from the sandbox phone" placeholder="Text message" value={body} onChange={(e) => setBody(e.target.value)} />
            <input ref={fileInput} type="file" accept="image/*" data-testid="phone-file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} hidden />
            <button type="button" className="secondary" onClick={() => fileInput.current?.click()} title="Attach a picture">
              <Icon name="attach" />
              {file ? '1' : ''}
            </button>
            <button className="primary" type="submit" disabled={busy || (!body.trim() && !file)} data-testid="phone-send">
              Send
            </button>
          </form>
          {error && (
            <div className="notice error" role="alert">
              {error}
            </div>
          )}
        </div>
      )}
    </div>
  );
}

/** The handset's screen: opens at the newest message, stays there as pictures load, and shows a pill for messages that arrive while the reader is scrolled up. */
function PhoneScreen({ messages, remote, target, followRef }: { messages: Message[]; remote: string; target: string; followRef: MutableRefObject<() => void> }) {
  const scroller = useStickToBottom(messages.at(-1)?.id);
  followRef.current = scroller.followOwnMessage;
  return (
    <div className="phone-body">
      <div className="phone-screen" data-testid="phone-screen" ref={scroller.boxRef}>
        <div className="messages-content" ref={scroller.contentRef}>
          {messages.map((m) => {
            const mine = m.from === remote;
            return (
              <div key={m.id} className={`bubble-row ${mine ? 'outbound' : 'inbound'}`} data-testid="phone-message">
                <div className={`bubble ${mine ? 'outbound' : 'inbound'}`}>
                  {m.body && <div className="body">{m.body}</div>}
                  <MediaView media={m.media} />
                  <div className="meta">
                    <time>{shortTime(m.createdAt)}</time>
                    {!mine && <StatusBadge message={m} />}
                  </div>
                </div>
              </div>
            );
          })}
          {messages.length === 0 && <p className="muted center">No messages with {formatPhone(target)} yet.</p>}
        </div>
      </div>
      {scroller.unseen > 0 && (
        <button className="new-messages-pill" onClick={scroller.scrollToBottom} data-testid="new-messages-pill">
          ↓ New messages
        </button>
      )}
    </div>
  );
}
