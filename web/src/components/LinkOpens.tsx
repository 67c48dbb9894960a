/** "Link opened" lines under a message that carried document links (F20). */
import { fullTime } from '../lib/format';
import type { Message } from '../lib/types';
import './automation.css';

export function LinkOpens({ message }: { message: Pick<Message, 'history'> }) {
  const opens = message.history.filter((h) => h.status === 'link_opened');
  if (opens.length === 0) return null;
  return (
    <div className="link-opens muted" data-testid="link-opened">
      {opens.map((open) => (
        <div key={`${open.at}-${open.detail ?? ''}`}>
          Link opened{open.detail ? `: ${open.detail}` : ''} — {fullTime(open.at)}
        </div>
      ))}
    </div>
  );
}
