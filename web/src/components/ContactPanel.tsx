/**
 * The thread's contact panel (issue 12): who the customer is (name, phones, custom fields, tags),
 * whether they may be texted, their other conversations and cases, and linking a contact or
 * creating one from the number. At the right of the thread on wide screens; a full-screen sheet
 * with a close button on phones.
 */
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, errorText } from '../lib/api';
import { conversationTitle, formatPhone, fullTime, shortTime } from '../lib/format';
import type { Contact, Conversation, Page } from '../lib/types';
import { CaseLinks } from './CaseLinks';
import { LinkContact } from './LinkContact';
import './contact-panel.css';
import './labels.css';

const PHONE = '(max-width: 760px)';
const REMEMBER = 'switchboard.contactPanel';
const isPhone = () => typeof window !== 'undefined' && window.matchMedia(PHONE).matches;

/** Open or closed; on wide screens the choice is remembered across threads, on a phone the sheet starts closed. */
export function useContactPanel(): [boolean, (open: boolean) => void] {
  const [open, setOpen] = useState(() => !isPhone() && localStorage.getItem(REMEMBER) === 'open');
  const set = (next: boolean) => {
    setOpen(next);
    if (!isPhone()) localStorage.setItem(REMEMBER, next ? 'open' : 'closed');
  };
  return [open, set];
}

export function ContactPanelToggle({ open, onToggle }: { open: boolean; onToggle(): void }) {
  return (
    <button className={`secondary small${open ? ' active' : ''}`} onClick={onToggle} aria-pressed={open} aria-controls="contact-panel" data-testid="contact-panel-toggle">
      Contact
    </button>
  );
}

export function useContact(id: string) {
  return useQuery({ queryKey: ['contacts', 'one', id], queryFn: () => api<Contact>(`/contacts/${id}`), staleTime: 30_000 });
}

/** The linked contacts' tags, shown under the thread's title. */
export function ContactTags({ contactIds }: { contactIds: string[] }) {
  return (
    <>
      {contactIds.map((id) => (
        <OneContactTags key={id} id={id} />
      ))}
    </>
  );
}

function OneContactTags({ id }: { id: string }) {
  const contact = useContact(id);
  return (
    <>
      {(contact.data?.tags ?? []).map((tag) => (
        <span key={tag} className="tag-chip" data-testid="contact-tag">
          #{tag}
        </span>
      ))}
    </>
  );
}

export function ContactPanel({ conversation, onClose, onChanged }: { conversation: Conversation; onClose(): void; onChanged(): void }) {
  // A phone's Back gesture aside, Escape closes the sheet too.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const remote = conversation.remoteNumbers[0] ?? '';
  const isInternal = conversation.ourNumber === 'internal';

  return (
    <aside className="contact-panel" id="contact-panel" aria-label="Contact details" data-testid="contact-panel">
      <div className="contact-panel-head">
        <h2>{conversation.contacts.length > 1 ? 'Contacts' : 'Contact'}</h2>
        <button className="secondary small" onClick={onClose} aria-label="Close contact panel" data-testid="contact-panel-close">
          Close
        </button>
      </div>
      <div className="contact-panel-body">
        {conversation.contacts.map((c) => (
          <ContactDetails key={c.id} contactId={c.id} conversation={conversation} onChanged={onChanged} />
        ))}
        {conversation.contacts.length === 0 && (
          <section data-testid="panel-not-linked">
            <p className="contact-name">{conversation.remoteNumbers.map(formatPhone).join(', ')}</p>
            <p className="muted small">Not linked to a contact. Link an existing contact or create one from this number.</p>
            {!isInternal && <LinkContact conversationId={conversation.id} remote={remote} onLinked={onChanged} />}
          </section>
        )}
        <section data-testid="panel-opt-out">
          <h3>Texting</h3>
          <OptOutLine conversation={conversation} />
        </section>
        <section>
          <h3>Cases</h3>
          <CaseLinks conversationId={conversation.id} />
        </section>
      </div>
    </aside>
  );
}

function OptOutLine({ conversation }: { conversation: Conversation }) {
  const state = conversation.optOut;
  if (!state) return <p className="state-ok small">Can be texted: not opted out.</p>;
  if (state.reason === 'contact_disallows_sms') return <p className="state-bad small">{state.contactName} does not allow SMS ({formatPhone(state.phone)}).</p>;
  return (
    <p className="state-bad small">
      Opted out: {formatPhone(state.phone)} {state.source === 'keyword' ? 'texted STOP' : `(${state.source})`} on {fullTime(state.since)}, {state.scope === 'tenant' ? 'from every number' : 'from this number'}.
    </p>
  );
}

function ContactDetails({ contactId, conversation, onChanged }: { contactId: string; conversation: Conversation; onChanged(): void }) {
  const contact = useContact(contactId);
  const client = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const others = useQuery({
    queryKey: ['conversations', 'contact', contactId],
    queryFn: () => api<Page<Conversation>>('/conversations', { query: { contactId, limit: 20 } }),
    select: (page) => page.items.filter((c) => c.id !== conversation.id),
  });
  const unlink = async () => {
    setError(null);
    try {
      await api(`/contacts/${contactId}/link/${conversation.id}`, { method: 'DELETE' });
      void client.invalidateQueries({ queryKey: ['contacts'] });
      onChanged();
    } catch (err) {
      setError(errorText(err));
    }
  };
  if (contact.isError) return <div className="notice error">{errorText(contact.error)}</div>;
  const c = contact.data;
  if (!c) return <p className="muted small">Loading…</p>;
  const fields = Object.entries(c.fields).filter(([, value]) => value !== null && value !== '');
  return (
    <section className="contact-details" data-testid="panel-contact">
      <p className="contact-name" data-testid="panel-contact-name">
        {c.name}
      </p>
      <ul className="plain small">
        {c.phones.map((phone) => (
          <li key={phone}>{formatPhone(phone)}</li>
        ))}
      </ul>
      {c.tags.length > 0 && (
        <div className="label-chips" aria-label="Tags" data-testid="panel-tags">
          {c.tags.map((tag) => (
            <span key={tag} className="tag-chip">
              #{tag}
            </span>
          ))}
        </div>
      )}
      <dl className="kv" data-testid="panel-fields">
        <dt>Allow SMS</dt>
        <dd data-testid="panel-allow-sms">{c.allowSms ? 'Yes' : 'No'}</dd>
        {fields.map(([key, value]) => (
          <FieldRow key={key} name={key} value={value} />
        ))}
      </dl>
      <div className="row-actions">
        <Link to={`/contacts/${c.id}`} className="small">
          Edit contact
        </Link>
        <button className="link-button small" onClick={() => void unlink()} data-testid="panel-unlink">
          Unlink from this conversation
        </button>
      </div>
      {error && <div className="notice error">{error}</div>}
      <h3 style={{ marginTop: 12 }}>Other conversations</h3>
      {others.data?.length ? (
        <ul className="plain small" data-testid="panel-other-conversations">
          {others.data.map((other) => (
            <li key={other.id}>
              <Link to={`/inbox/${other.id}`}>
                {conversationTitle(other)} via {formatPhone(other.ourNumber)}
              </Link>{' '}
              <span className="muted">{shortTime(other.lastMessage?.createdAt ?? other.updatedAt)}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">{others.isLoading ? 'Loading…' : 'None.'}</p>
      )}
    </section>
  );
}

function FieldRow({ name, value }: { name: string; value: unknown }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{typeof value === 'boolean' ? (value ? 'Yes' : 'No') : String(value)}</dd>
    </>
  );
}
