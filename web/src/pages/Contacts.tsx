/** Contacts (F21): list, create, edit and a contact's timeline. Hidden when the server has no contacts API. */
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, errorText } from '../lib/api';
import { useFieldErrors } from '../components/FieldErrors';
import { useContactsAvailable } from '../lib/contacts';
import { formatPhone, guessCountry } from '../lib/format';
import type { Contact, Message, Page } from '../lib/types';
import { MessageBubble } from '../components/MessageBubble';
import { ContactImport } from '../components/ContactImport';

export default function ContactsPage() {
  const { available, loading } = useContactsAvailable();
  const { contactId } = useParams();
  const [q, setQ] = useState('');
  const list = useQuery({ queryKey: ['contacts', 'list', q], queryFn: () => api<Page<Contact>>('/contacts', { query: { q: q || undefined, limit: 100 } }), enabled: available });
  if (loading) return <div className="page muted">Loading…</div>;
  if (!available) {
    return (
      <div className="page">
        <h1>Contacts</h1>
        <div className="notice">Contacts are not available on this server yet. Conversations show phone numbers instead.</div>
      </div>
    );
  }
  return (
    <div className="page contacts-page">
      <div className="page-head">
        <h1>Contacts</h1>
        <div className="button-row">
          <ContactImport />
          <Link className="button primary" to="/contacts/new">
            + New contact
          </Link>
        </div>
      </div>
      <div className={`split${contactId ? ' has-detail' : ''}`}>
        <div className="card list-card">
          <input type="search" placeholder="Search contacts" value={q} onChange={(e) => setQ(e.target.value)} aria-label="Search contacts" />
          {list.isError && <div className="notice error">{errorText(list.error)}</div>}
          <ul className="simple-list" data-testid="contact-list">
            {(list.data?.items ?? []).map((c) => (
              <li key={c.id}>
                <Link to={`/contacts/${c.id}`} className={c.id === contactId ? 'active' : ''}>
                  <strong>{c.name}</strong>
                  <small className="muted">{c.phones.map(formatPhone).join(', ')}</small>
                </Link>
              </li>
            ))}
            {list.data?.items.length === 0 && <li className="muted">No contacts.</li>}
          </ul>
        </div>
        <div className="detail">
          {contactId && (
            <Link className="button secondary back-to-list" to="/contacts">
              ← All contacts
            </Link>
          )}
          {contactId ? <ContactLoader key={contactId} id={contactId} /> : <p className="muted">Choose a contact or create one.</p>}
        </div>
      </div>
    </div>
  );
}

/** Loads one contact (a deep link may arrive before the list), then shows its form and timeline. */
function ContactLoader({ id }: { id: string }) {
  const contact = useQuery({ queryKey: ['contacts', 'one', id], queryFn: () => api<Contact>(`/contacts/${id}`), enabled: id !== 'new' });
  if (id === 'new') return <ContactDetail id={id} />;
  if (contact.isError) return <div className="notice error">{errorText(contact.error)}</div>;
  if (!contact.data) return <p className="muted">Loading…</p>;
  return <ContactDetail id={id} existing={contact.data} />;
}

function ContactDetail({ id, existing }: { id: string; existing?: Contact }) {
  const isNew = id === 'new';
  const navigate = useNavigate();
  const client = useQueryClient();
  const [form, setForm] = useState({ name: existing?.name ?? '', phones: existing?.phones.join(', ') ?? '', tags: existing?.tags.join(', ') ?? '', allowSms: existing?.allowSms ?? true });
  const [error, setError] = useState<unknown>(null);
  const errors = useFieldErrors(error, () => setError(null), ['name', 'phones', 'tags', 'allowSms']);
  const [saved, setSaved] = useState(false);
  const timeline = useQuery({
    queryKey: ['contact-timeline', id, existing?.phones.join(',')],
    enabled: !isNew && Boolean(existing?.phones.length),
    queryFn: async () => {
      const pages = await Promise.all((existing?.phones ?? []).map((phone) => api<Page<Message>>('/messages', { query: { number: phone, limit: 50 } })));
      const all = new Map<string, Message>();
      for (const page of pages) for (const m of page.items) all.set(m.id, m);
      return [...all.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
  });
  const split = (text: string) =>
    text
      .split(/[,;\n]/)
      .map((s) => s.trim())
      .filter(Boolean);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    const body = { name: form.name, phones: split(form.phones), tags: split(form.tags), allowSms: form.allowSms, defaultCountry: guessCountry() };
    try {
      const result = isNew ? await api<Contact>('/contacts', { method: 'POST', body }) : await api<Contact>(`/contacts/${id}`, { method: 'PATCH', body });
      await client.invalidateQueries({ queryKey: ['contacts'] });
      setSaved(true);
      if (isNew) navigate(`/contacts/${result.id}`);
    } catch (err) {
      setError(err);
    }
  };
  const remove = async () => {
    if (!confirm(`Delete ${existing?.name}?`)) return;
    try {
      await api(`/contacts/${id}`, { method: 'DELETE' });
      await client.invalidateQueries({ queryKey: ['contacts'] });
      navigate('/contacts');
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <form className="card form-grid" onSubmit={save} onChange={errors.onChange} data-testid="contact-form">
        <h2>{isNew ? 'New contact' : existing?.name}</h2>
        <label>
          Name
          <input name="name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} {...errors.input('name')} />
          {errors.note('name')}
        </label>
        <label>
          Phones (comma-separated)
          <input name="phones" value={form.phones} onChange={(e) => setForm({ ...form, phones: e.target.value })} placeholder="+15551234567, (415) 555-1212" {...errors.input('phones')} />
          {errors.note('phones')}
        </label>
        <label>
          Tags
          <input name="tags" value={form.tags} onChange={(e) => setForm({ ...form, tags: e.target.value })} {...errors.input('tags')} />
          {errors.note('tags')}
        </label>
        <label className="switch">
          <input type="checkbox" checked={form.allowSms} onChange={(e) => setForm({ ...form, allowSms: e.target.checked })} /> Allows SMS
        </label>
        {errors.rest}
        {saved && <div className="notice success">Saved.</div>}
        <div className="button-row">
          <button className="primary" type="submit">
            Save
          </button>
          {!isNew && (
            <button className="danger" type="button" onClick={() => void remove()}>
              Delete
            </button>
          )}
        </div>
      </form>
      {!isNew && (
        <section className="card">
          <h3>Timeline</h3>
          {timeline.isError && <div className="notice error">{errorText(timeline.error)}</div>}
          {(timeline.data ?? []).map((m) => (
            <MessageBubble key={m.id} message={m} />
          ))}
          {timeline.data?.length === 0 && <p className="muted">No messages with this contact yet.</p>}
        </section>
      )}
    </>
  );
}
