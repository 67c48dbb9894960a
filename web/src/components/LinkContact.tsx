/** "Not linked" conversations can be linked to a contact by hand (F21), or a new contact made from the number. */
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, errorText } from '../lib/api';
import { useContactsAvailable, useContactSearch } from '../lib/contacts';
import { formatPhone } from '../lib/format';

export function LinkContact({ conversationId, remote, onLinked }: { conversationId: string; remote: string; onLinked(): void }) {
  const { available } = useContactsAvailable();
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState('');
  const [error, setError] = useState<string | null>(null);
  const results = useContactSearch(q, open && available);
  const client = useQueryClient();
  if (!available) return null;
  const link = async (contactId: string | null) => {
    setError(null);
    try {
      const id = contactId ?? (await api<{ id: string }>('/contacts', { method: 'POST', body: { name: q.trim() || remote, phones: [remote] } })).id;
      await api(`/contacts/${id}/link`, { method: 'POST', body: { conversationId } });
      setOpen(false);
      void client.invalidateQueries({ queryKey: ['contacts'] });
      onLinked();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div className="popover-anchor">
      <button className="secondary small" onClick={() => setOpen(!open)}>
        Link contact
      </button>
      {open && (
        <div className="popover card">
          <input autoFocus placeholder="Search contacts or type a new name" value={q} onChange={(e) => setQ(e.target.value)} />
          <ul className="picker">
            {(results.data?.items ?? []).map((contact) => (
              <li key={contact.id}>
                <button className="link-button" onClick={() => void link(contact.id)}>
                  {contact.name} <small className="muted">{contact.phones.map(formatPhone).join(', ')}</small>
                </button>
              </li>
            ))}
          </ul>
          <button className="secondary small" onClick={() => void link(null)}>
            + New contact “{q.trim() || formatPhone(remote)}”
          </button>
          {error && <div className="notice error">{error}</div>}
        </div>
      )}
    </div>
  );
}
