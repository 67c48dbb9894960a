/** Compose (F20): recipients from contacts or typed numbers (normalised to E.164), the from-line, the text, media and send later. */
import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../lib/api';
import { useContactsAvailable, useContactSearch } from '../lib/contacts';
import { formatPhone, guessCountry, toE164 } from '../lib/format';
import { MessageEditor, type EditorValue } from '../components/MessageEditor';
import { useNumbers } from './Inbox';
import { useAuth } from '../lib/auth';
import { TemplatePicker, useTemplateFill } from '../components/TemplatePicker';
import type { PhoneNumber } from '../lib/types';
import { useMaxBodyLength } from '../lib/provider-limits';

/** "(415) 555-0100 — Support line · twilio": which line and which carrier a reply leaves through. */
export function numberOptionLabel(n: PhoneNumber): string {
  const via = [n.label, n.providerType].filter(Boolean).join(' · ');
  return via ? `${formatPhone(n.number)} — ${via}` : formatPhone(n.number);
}

interface Recipient {
  number: string;
  label: string;
}

export default function ComposePage() {
  const navigate = useNavigate();
  const numbers = useNumbers();
  const contacts = useContactsAvailable();
  const [fromId, setFromId] = useState('');
  const [recipients, setRecipients] = useState<Recipient[]>([]);
  const [typed, setTyped] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const fill = useTemplateFill();
  const { user } = useAuth();
  // Only numbers a send would not refuse (the server decides: routing, caller IDs, permission).
  const usable = (numbers.data ?? []).filter((n) => n.canSend ?? !n.systemNotification);
  const canSend = user?.sendPermission !== 'none';
  const lastUsedKey = `compose.lastFrom.${user?.id ?? ''}`;
  // Never "whichever sorts first": a number added later must not change where replies leave from.
  const from =
    usable.find((n) => n.id === fromId) ??
    usable.find((n) => n.number === user?.defaultCallerId) ??
    usable.find((n) => n.number === localStorage.getItem(lastUsedKey)) ??
    (usable.length === 1 ? usable[0] : undefined);
  const maxLength = useMaxBodyLength(from?.providerType);
  const country = from?.defaultCountry ?? guessCountry();
  const normalised = useMemo(() => toE164(typed, country), [typed, country]);
  const search = useContactSearch(typed.trim(), contacts.available && typed.trim().length >= 1);

  const add = (recipient: Recipient) => {
    if (!recipients.some((r) => r.number === recipient.number)) setRecipients([...recipients, recipient]);
    setTyped('');
  };

  const send = async (value: EditorValue) => {
    if (!from) throw new Error(usable.length ? 'Choose the number to send from' : 'Add a number under Admin → Numbers first');
    let list = recipients;
    if (normalised && !list.some((r) => r.number === normalised)) list = [...list, { number: normalised, label: normalised }];
    if (list.length === 0) throw new Error('Add a recipient: a contact or a phone number');
    const result = await api<{ id: string; conversationId: string; status: string }>('/messages', {
      method: 'POST',
      body: {
        from: from.number,
        to: list.length === 1 ? list[0]!.number : list.map((r) => r.number),
        body: value.body || undefined,
        media: value.media.length ? value.media.map((m) => ({ id: m.id })) : undefined,
        documents: value.documents.length ? value.documents.map((d) => ({ id: d.id })) : undefined,
        sendAt: value.sendAt ?? undefined,
      },
      headers: { 'idempotency-key': crypto.randomUUID() },
    });
    localStorage.setItem(lastUsedKey, from.number);
    setRecipients([]);
    setTyped('');
    if (value.sendAt) {
      setSent(`Scheduled for ${new Date(value.sendAt).toLocaleString()}.`);
      return;
    }
    navigate(`/inbox/${result.conversationId}`);
  };

  return (
    <div className="page compose-page">
      <h1>New message</h1>
      {!canSend && (
        <div className="notice error" data-testid="no-send-permission">
          You may read conversations but not send messages. Ask an admin for send permission.
        </div>
      )}
      {sent && (
        <div className="notice success" role="status">
          {sent}
        </div>
      )}
      <div className="card form-grid">
        <label>
          From
          <select name="from" value={from?.id ?? ''} onChange={(e) => setFromId(e.target.value)} data-testid="from-select">
            {numbers.isLoading && <option value="">Loading numbers…</option>}
            {!numbers.isLoading && usable.length === 0 && <option value="">No numbers you may send from</option>}
            {usable.length > 0 && !from && <option value="">Choose a number…</option>}
            {usable.map((n) => (
              <option key={n.id} value={n.id}>
                {numberOptionLabel(n)}
              </option>
            ))}
          </select>
        </label>
        <div className="field">
          <label htmlFor="to-input">To</label>
          <div className="recipients">
            {recipients.map((r) => (
              <span key={r.number} className="chip active" data-testid="recipient">
                {r.label !== r.number ? `${r.label} · ` : ''}
                {formatPhone(r.number)}
                <button type="button" className="link-button" aria-label={`Remove ${r.label}`} onClick={() => setRecipients(recipients.filter((x) => x.number !== r.number))}>
                  ✕
                </button>
              </span>
            ))}
            <input
              id="to-input"
              name="to"
              autoComplete="off"
              placeholder={contacts.available ? 'Name or phone number' : 'Phone number'}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && normalised) {
                  e.preventDefault();
                  add({ number: normalised, label: normalised });
                }
              }}
            />
          </div>
          {typed.trim() && (
            <div className="normalised" data-testid="normalised">
              {normalised ? (
                <button type="button" className="link-button" onClick={() => add({ number: normalised, label: normalised })}>
                  Send to <strong>{normalised}</strong> ({formatPhone(normalised)})
                </button>
              ) : (
                <span className="muted">Not a phone number yet{contacts.available ? ' — pick a contact below or keep typing' : ''}.</span>
              )}
            </div>
          )}
          {contacts.available && typed.trim() && (search.data?.items.length ?? 0) > 0 && (
            <ul className="picker" data-testid="contact-results">
              {search.data!.items.flatMap((contact) =>
                contact.phones.map((phone) => (
                  <li key={`${contact.id}-${phone}`}>
                    <button type="button" className="link-button" onClick={() => add({ number: phone, label: contact.name })} disabled={contact.allowSms === false}>
                      {contact.name} <small className="muted">{formatPhone(phone)}</small>
                      {contact.allowSms === false && <small className="muted"> (does not allow SMS)</small>}
                    </button>
                  </li>
                )),
              )}
            </ul>
          )}
        </div>
      </div>
      <div className="card">
        <TemplatePicker to={recipients[0]?.number ?? normalised ?? null} onUse={fill.apply} />
        <MessageEditor key={fill.version} initialBody={fill.text} initialMedia={fill.media} allowDocuments onSend={send} maxLength={maxLength} placeholder="Write your message" disabled={!from || !canSend} />
        {!from && usable.length > 1 && <p className="muted small">Choose the number to send from above.</p>}
      </div>
    </div>
  );
}
