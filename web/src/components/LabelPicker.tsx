/** Puts the tenant's labels on a conversation or takes them off (issue 12); admins may jump to managing them. */
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, errorText } from '../lib/api';
import { useAuth } from '../lib/auth';
import { useLabels } from '../lib/labels';
import type { Conversation } from '../lib/types';
import './labels.css';

export function LabelPicker({ conversation, onChanged }: { conversation: Conversation; onChanged(): void }) {
  const labels = useLabels();
  const { user } = useAuth();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The box follows the click at once; the conversation's own labels take over once they reload.
  const [wanted, setWanted] = useState<Record<string, boolean>>({});
  const appliedKey = (conversation.labels ?? []).map((l) => l.id).join(',');
  useEffect(() => setWanted({}), [appliedKey]);
  if (labels.data === null) return null;
  const applied = new Set((conversation.labels ?? []).map((l) => l.id));
  const isAdmin = user?.role === 'owner' || user?.role === 'admin';

  const toggle = async (labelId: string, on: boolean) => {
    setBusy(labelId);
    setError(null);
    setWanted((current) => ({ ...current, [labelId]: on }));
    try {
      await api(`/conversations/${conversation.id}/labels/${labelId}`, { method: on ? 'PUT' : 'DELETE' });
      onChanged();
    } catch (err) {
      setWanted(({ [labelId]: _dropped, ...rest }) => rest);
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="popover-anchor label-picker">
      <button className="secondary small" onClick={() => setOpen(!open)} aria-expanded={open} data-testid="label-picker">
        Labels{applied.size ? ` (${applied.size})` : ''}
      </button>
      {open && (
        <div className="popover card" role="dialog" aria-label="Labels">
          {labels.data?.length ? (
            <div className="picker" role="group" aria-label="Labels on this conversation">
              {labels.data.map((label) => (
                <label key={label.id}>
                  <input type="checkbox" checked={wanted[label.id] ?? applied.has(label.id)} disabled={busy !== null} onChange={(e) => void toggle(label.id, e.target.checked)} />
                  <span className="label-swatch" style={{ background: label.color }} aria-hidden="true" />
                  {label.name}
                </label>
              ))}
            </div>
          ) : (
            <p className="muted small">No labels yet.{isAdmin ? '' : ' Ask an admin to create some.'}</p>
          )}
          {isAdmin && (
            <Link to="/admin/labels" className="small">
              Manage labels
            </Link>
          )}
          <button className="secondary small" onClick={() => setOpen(false)}>
            Done
          </button>
          {error && <div className="notice error">{error}</div>}
        </div>
      )}
    </div>
  );
}
