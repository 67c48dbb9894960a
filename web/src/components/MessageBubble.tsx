/**
 * One message: body as text with safe links, media inline or as a link, who sent it, status with
 * its history, failure reason and re-send; a day separator before it when it starts a new day.
 */
import { formatBytes, fullTime, shortTime } from '../lib/format';
import type { Message, MessageSender } from '../lib/types';
import { startsNewDay } from '../lib/days';
import { DaySeparator } from './DaySeparator';
import { Icon } from './Icon';
import { MessageBody } from './MessageBody';

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

const SENDER_KIND: Record<MessageSender['kind'], string> = { user: '', api_key: 'API key', workflow: 'Workflow', system: '' };

function clockTime(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function SenderName({ sender }: { sender: MessageSender }) {
  const kind = SENDER_KIND[sender.kind];
  return (
    <div className={`sender sender-${sender.kind}`} data-testid="message-sender" data-kind={sender.kind}>
      {sender.name}
      {kind && <span className="sender-kind"> · {kind}</span>}
    </div>
  );
}

export interface MessageBubbleProps {
  message: Message;
  onRetry?: (message: Message) => void;
  retrying?: boolean;
  /** In a thread, the time of the message shown before (null for the first): a new day gets a separator. Left out elsewhere. */
  previousAt?: string | null;
}

export function MessageBubble({ message, onRetry, retrying, previousAt }: MessageBubbleProps) {
  const failed = message.status === 'failed' || message.status === 'undelivered';
  return (
    <>
      {previousAt !== undefined && startsNewDay(message.createdAt, previousAt) && <DaySeparator at={message.createdAt} />}
      <div className={`bubble-row ${message.direction}`} data-testid="message" data-message-id={message.id}>
        <div className={`bubble ${message.direction}${failed ? ' failed' : ''}`}>
          {message.direction === 'outbound' && message.sender && <SenderName sender={message.sender} />}
          {message.body && (
            <div className="body" data-testid="message-body">
              <MessageBody body={message.body} />
            </div>
          )}
          <MediaView media={message.media} />
          <div className="meta">
            <time dateTime={message.createdAt} title={fullTime(message.createdAt)}>
              {previousAt === undefined ? shortTime(message.createdAt) : clockTime(message.createdAt)}
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
    </>
  );
}
