/**
 * "Ann mentioned you" toasts (issue 12): the server sends note.mention on /events only to the
 * mentioned user, so every toast here is for the signed-in user. A toast stays until it is opened
 * or dismissed, or for a minute; the nav shows how many are waiting.
 */
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { onLiveEvent } from '../lib/events';
import './notes.css';

interface Mention {
  noteId: string;
  conversationId: string;
  authorName: string | null;
  preview: string;
}

const SHOWN_MS = 60_000;

export function MentionToasts() {
  const [mentions, setMentions] = useState<Mention[]>([]);
  const navigate = useNavigate();
  useEffect(
    () =>
      onLiveEvent((type, data) => {
        if (type !== 'note.mention' || typeof data.noteId !== 'string' || typeof data.conversationId !== 'string') return;
        const mention: Mention = { noteId: data.noteId, conversationId: data.conversationId, authorName: typeof data.authorName === 'string' ? data.authorName : null, preview: typeof data.preview === 'string' ? data.preview : '' };
        setMentions((list) => [...list.filter((m) => m.noteId !== mention.noteId), mention].slice(-4));
        setTimeout(() => setMentions((list) => list.filter((m) => m.noteId !== mention.noteId)), SHOWN_MS);
      }),
    [],
  );
  const dismiss = (noteId: string) => setMentions((list) => list.filter((m) => m.noteId !== noteId));
  return (
    <div className="mention-toasts" role="status" aria-live="polite">
      {mentions.map((m) => (
        <div className="mention-toast" key={m.noteId} data-testid="mention-toast">
          <strong>{m.authorName ?? 'A teammate'} mentioned you in a note</strong>
          <p>{m.preview}</p>
          <div className="mention-toast-actions">
            <button
              className="primary small"
              onClick={() => {
                dismiss(m.noteId);
                navigate(`/inbox/${encodeURIComponent(m.conversationId)}`);
              }}
              data-testid="mention-open"
            >
              Open conversation
            </button>
            <button className="secondary small" onClick={() => dismiss(m.noteId)} aria-label="Dismiss">
              Dismiss
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
