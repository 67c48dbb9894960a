/** One message: body as text only, media inline or as a link, status with its history, failure reason and re-send. */
import { formatBytes, fullTime, shortTime } from '../lib/format';
import type { Message } from '../lib/types';
import { Icon } from './Icon';

const STATUS_LABEL: Record<string, string> = {
  queued: 'Queued',
  scheduled: 'Scheduled',
  sending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  undelivered: 'Undelivered',
  failed: 'Failed',
  received: 'Received',
  link_opened: 'Link opened',
};

export function statusLabel(status: string): string {
  return STATUS_LABEL[status] ?? status;
}

export function MediaView({ media }: { media: Message['media'] }) {
  if (media.length === 0) return null;
  return (
    <div className="media-list">
      {media.map((item) =>
        item.url && item.contentType.startsWith('image/') ? (
          <a key={item.id} href={item.url} target="_blank" rel="noopener noreferrer" className="media-image">
            <img src={item.url} alt="Picture attached to the message" data-testid="media-image" />
          </a>
        ) : item.url && item.contentType.startsWith('video/') ? (
          <video key={item.id} src={item.url} controls preload="metadata" className="media-video" />
        ) : item.url && item.contentType.startsWith('audio/') ? (
          <audio key={item.id} src={item.url} controls preload="none" />
        ) : item.url ? (
          <a key={item.id} href={item.url} download className="media-file" rel="noopener noreferrer">
            <Icon name="file" /> Download {item.contentType} ({formatBytes(item.size)})
          </a>
        ) : (
          <span key={item.id} className="media-file muted">
            Attachment not available ({item.contentType})
          </span>
        ),
      )}
    </div>
  );
}

export function StatusBadge({ message }: { message: Pick<Message, 'status' | 'history' | 'error'> }) {
  const history = message.history.map((h) => `${statusLabel(h.status)} — ${fullTime(h.at)}${h.detail ? ` (${h.detail})` : ''}`).join('\n');
  return (
    <span className={`status status-${message.status}`} data-testid="message-status" data-status={message.status} tabIndex={0}>
      {statusLabel(message.status)}
      {message.history.length > 0 && (
        <span className="history-pop" role="tooltip">
          {history}
        </span>
      )}
    </span>
  );
}

export function MessageBubble({ message, onRetry, retrying }: { message: Message; onRetry?: (message: Message) => void; retrying?: boolean }) {
  const failed = message.status === 'failed' || message.status === 'undelivered';
  return (
    <div className={`bubble-row ${message.direction}`} data-testid="message" data-message-id={message.id}>
      <div className={`bubble ${message.direction}${failed ? ' failed' : ''}`}>
        {message.body && (
          <div className="body" data-testid="message-body">
            {message.body}
          </div>
        )}
        <MediaView media={message.media} />
        <div className="meta">
          <time dateTime={message.createdAt} title={fullTime(message.createdAt)}>
            {shortTime(message.createdAt)}
          </time>
          {message.direction === 'outbound' && <StatusBadge message={message} />}
          {message.sendAt && message.status === 'queued' && <span className="muted">for {fullTime(message.sendAt)}</span>}
          {message.segments > 1 && <span className="muted">{message.segments} segments</span>}
        </div>
        {message.retry && (
          <div className="retry-note" data-testid="retry-note" role="status">
            Attempt {message.retry.attempts} of {message.retry.maxAttempts} failed: {message.retry.lastError ?? 'no reason given'}.{' '}
            {message.retry.nextAttemptAt ? <>Next try at <time dateTime={message.retry.nextAttemptAt}>{fullTime(message.retry.nextAttemptAt)}</time>.</> : 'No more tries.'}
          </div>
        )}
        {failed && (
          <div className="failure" data-testid="failure">
            <span>
              {message.error ? `${message.error.message || message.error.code} (${message.error.code})` : 'The carrier did not deliver this message.'}
            </span>
            {onRetry && message.direction === 'outbound' && (
              <button className="secondary small" onClick={() => onRetry(message)} disabled={retrying} data-testid="retry-button">
                {retrying ? 'Re-sending…' : 'Retry'}
              </button>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
