/**
 * The text box used by compose and thread replies: live encoding/segment counter (F19, with the
 * server's own counting code), media attachments uploaded to POST /media (F5), send later, and in
 * threads canned replies (CannedReplies.tsx).
 */
import { useLayoutEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { countSegments } from '@shared/segments';
import { api, errorText } from '../lib/api';
import { formatBytes } from '../lib/format';
import { isDocumentType, useSendLaterPresets } from '../lib/automation';
import { Icon } from './Icon';
import { BlankVariablesNotice, CannedRepliesMenu, useCannedReplies, type CannedInsert } from './CannedReplies';

export interface Attachment {
  id: string;
  name: string;
  contentType: string;
  size: number;
  previewUrl: string | null;
}

export interface EditorValue {
  body: string;
  media: Attachment[];
  /** Documents sent as links (F20), only when the editor allows them. */
  documents: Attachment[];
  sendAt: string | null;
}

function describeChar(char: string): string {
  if (char === ' ') return 'space';
  const code = char.codePointAt(0)!;
  return `${char} (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
}

/** Most carriers refuse or split unreliably beyond this many segments. */
const SEGMENT_WARNING = 10;

export function SegmentCounter({ body, maxLength }: { body: string; maxLength?: number }) {
  const info = useMemo(() => countSegments(body), [body]);
  const tooLong = maxLength !== undefined && body.length > maxLength;
  const perPart = info.encoding === 'GSM-7' ? (info.segments > 1 ? 153 : 160) : info.segments > 1 ? 67 : 70;
  return (
    <div className="segment-counter" data-testid="segment-counter" aria-live="polite">
      <span className={`encoding encoding-${info.encoding === 'GSM-7' ? 'gsm' : 'ucs'}`} data-testid="encoding">
        {info.encoding}
      </span>
      <span data-testid="segments">
        {info.units} / {perPart * Math.max(1, info.segments)} · {info.segments} {info.segments === 1 ? 'segment' : 'segments'}
      </span>
      {info.ucs2Characters.length > 0 && (
        <span className="ucs-chars" data-testid="ucs2-chars" title="These characters are not in the GSM-7 alphabet, so the whole message is sent as UCS-2 (70 characters per segment).">
          UCS-2 because of: {info.ucs2Characters.slice(0, 8).map(describeChar).join(', ')}
          {info.ucs2Characters.length > 8 ? ` and ${info.ucs2Characters.length - 8} more` : ''}
        </span>
      )}
      {(tooLong || info.segments > SEGMENT_WARNING) && (
        <span className="length-warning" role="alert" data-testid="length-warning">
          {tooLong
            ? `Too long for this carrier: ${body.length} characters, it accepts at most ${maxLength}. Shorten it before sending.`
            : `${info.segments} segments: carriers often refuse messages over ${SEGMENT_WARNING} segments, and each segment is billed.`}
        </span>
      )}
    </div>
  );
}

function localInputValue(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function MessageEditor(props: {
  onSend(value: EditorValue): Promise<void>;
  disabled?: boolean;
  allowSchedule?: boolean;
  placeholder?: string;
  submitLabel?: string;
  compact?: boolean;
  /** Text to start with (compose fills it from a template). */
  initialBody?: string;
  /** Media to start with (a template's pictures). */
  initialMedia?: Attachment[];
  /** PDFs and other documents go as short links (POST /documents) instead of MMS. */
  allowDocuments?: boolean;
  /** The sending carrier's longest body, warned about before Send. */
  maxLength?: number;
  /** Offers the tenant's templates (`/` or the Templates button), rendered for this recipient's contact. */
  cannedReplies?: { to: string | null };
}) {
  const [body, setBody] = useState(props.initialBody ?? '');
  const [media, setMedia] = useState<Attachment[]>(props.initialMedia ?? []);
  const [documents, setDocuments] = useState<Attachment[]>([]);
  const presets = useSendLaterPresets();
  const [uploading, setUploading] = useState(false);
  const [scheduleOpen, setScheduleOpen] = useState(false);
  const [sendAt, setSendAt] = useState<string>('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);
  // Where the caret goes once an inserted template is in the text.
  const pendingCaret = useRef<number | null>(null);
  const [blank, setBlank] = useState<{ templateName: string; variables: string[] } | null>(null);

  const insertTemplate = (insert: CannedInsert) => {
    setBody((text) => text.slice(0, insert.start) + insert.text + text.slice(insert.end));
    pendingCaret.current = insert.start + insert.text.length;
    setMedia((list) => [
      ...list,
      ...insert.mediaIds.filter((id) => !list.some((m) => m.id === id)).map((id, index) => ({ id, name: `${insert.templateName} picture ${index + 1}`, contentType: 'image', size: 0, previewUrl: null })),
    ]);
    setBlank(insert.emptyVariables.length > 0 ? { templateName: insert.templateName, variables: insert.emptyVariables } : null);
  };
  const canned = useCannedReplies({ enabled: Boolean(props.cannedReplies), to: props.cannedReplies?.to ?? null, onInsert: insertTemplate });

  useLayoutEffect(() => {
    const caret = pendingCaret.current;
    if (caret === null || !textarea.current) return;
    pendingCaret.current = null;
    textarea.current.focus();
    textarea.current.setSelectionRange(caret, caret);
  }, [body]);

  const upload = async (files: FileList | null) => {
    if (!files || files.length === 0) return;
    setUploading(true);
    setError(null);
    try {
      for (const file of Array.from(files)) {
        const form = new FormData();
        form.append('file', file, file.name);
        if (props.allowDocuments && isDocumentType(file.type)) {
          const doc = await api<{ id: string; contentType: string; size: number }>('/documents', { method: 'POST', body: form });
          setDocuments((list) => [...list, { id: doc.id, name: file.name, contentType: doc.contentType, size: doc.size, previewUrl: null }]);
          continue;
        }
        const saved = await api<{ id: string; contentType: string; size: number }>('/media', { method: 'POST', body: form });
        setMedia((list) => [...list, { id: saved.id, name: file.name, contentType: saved.contentType, size: saved.size, previewUrl: file.type.startsWith('image/') ? URL.createObjectURL(file) : null }]);
      }
    } catch (err) {
      setError(errorText(err));
    } finally {
      setUploading(false);
      if (fileInput.current) fileInput.current.value = '';
    }
  };

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!body.trim() && media.length === 0 && documents.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      const at = scheduleOpen && sendAt ? new Date(sendAt).toISOString() : null;
      await props.onSend({ body, media, documents, sendAt: at });
      for (const item of media) if (item.previewUrl) URL.revokeObjectURL(item.previewUrl);
      setBody('');
      setBlank(null);
      setMedia([]);
      setDocuments([]);
      setSendAt('');
      setScheduleOpen(false);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const canSend = !props.disabled && !busy && !uploading && !blank && (body.trim().length > 0 || media.length > 0 || documents.length > 0) && (!scheduleOpen || Boolean(sendAt));

  return (
    <form className={`editor${props.compact ? ' compact' : ''}`} onSubmit={submit}>
      <div className="editor-text">
        <CannedRepliesMenu canned={canned} onClose={() => textarea.current?.focus()} />
        <textarea
          ref={textarea}
          name="body"
          aria-label="Message"
          placeholder={`${props.placeholder ?? 'Type a message'}${canned.available ? ' (/ for a template)' : ''}`}
          value={body}
          rows={props.compact ? 2 : 5}
          onChange={(e) => {
            setBody(e.target.value);
            canned.onTextChange(e.target.value, e.target.selectionStart);
          }}
          onSelect={(e) => canned.onTextChange(e.currentTarget.value, e.currentTarget.selectionStart)}
          onBlur={() => canned.menu?.source === 'slash' && canned.close()}
          onKeyDown={(e) => {
            if (canned.onKeyDown(e)) return;
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit();
          }}
          {...(props.cannedReplies
            ? { 'aria-autocomplete': 'list' as const, 'aria-controls': canned.open ? canned.listId : undefined, 'aria-activedescendant': canned.menu?.source === 'slash' ? canned.activeOptionId : undefined }
            : {})}
        />
      </div>
      {blank && <BlankVariablesNotice blank={blank} onChecked={() => setBlank(null)} />}
      {canned.error && (
        <div className="notice error" role="alert" data-testid="canned-error">
          {canned.error}
        </div>
      )}
      {media.length > 0 && (
        <ul className="attachments" data-testid="attachments">
          {media.map((item) => (
            <li key={item.id}>
              {item.previewUrl ? <img src={item.previewUrl} alt="" /> : <Icon name="file" size={28} />}
              <span className="name">{item.name}</span>
              {item.size > 0 && <small>{formatBytes(item.size)}</small>}
              <button type="button" className="link-button" onClick={() => setMedia(media.filter((m) => m.id !== item.id))} aria-label={`Remove ${item.name}`}>
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
      {documents.length > 0 && (
        <ul className="attachments" data-testid="documents">
          {documents.map((item) => (
            <li key={item.id}>
              <Icon name="file" size={28} />
              <span className="name">{item.name}</span>
              <small>{formatBytes(item.size)} · sent as a link</small>
              <button type="button" className="link-button" onClick={() => setDocuments(documents.filter((d) => d.id !== item.id))} aria-label={`Remove ${item.name}`}>
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
      {scheduleOpen && (
        <div className="schedule" data-testid="schedule">
          <label>
            Send at
            <input type="datetime-local" name="sendAt" value={sendAt} min={localInputValue(new Date())} onChange={(e) => setSendAt(e.target.value)} />
          </label>
          <div className="presets">
            {presets.map((preset) => (
              <button type="button" key={preset.label} className="chip" onClick={() => setSendAt(localInputValue(preset.at))}>
                {preset.label}
              </button>
            ))}
          </div>
        </div>
      )}
      <div className="editor-bar">
        {/* Each document link is appended to the text, so it counts towards the segments. */}
        <SegmentCounter body={body + documents.map(() => `${body ? '\n' : ''}${window.location.origin}/d/xxxxxxxxxxxx`).join('')} maxLength={props.maxLength} />
        <div className="editor-actions">
          <input ref={fileInput} type="file" hidden data-testid="file-input" accept="image/*,video/*,audio/*,application/pdf,text/vcard,text/plain" multiple onChange={(e) => void upload(e.target.files)} />
          {canned.available && (
            <button
              type="button"
              className={`secondary${canned.menu?.source === 'button' ? ' active' : ''}`}
              onClick={() => canned.openFromButton(textarea.current?.selectionStart ?? body.length, textarea.current?.selectionEnd ?? body.length)}
              aria-expanded={canned.menu?.source === 'button'}
              title="Insert a template (or type / in the message)"
              aria-label="Templates"
              data-testid="templates-button"
            >
              <Icon name="file" /> <span className="templates-label">Templates</span>
            </button>
          )}
          <button type="button" className="secondary" onClick={() => fileInput.current?.click()} disabled={uploading} title="Attach a picture or file (sent as MMS)">
            <Icon name="attach" /> {uploading ? 'Uploading…' : 'Attach'}
          </button>
          {props.allowSchedule !== false && (
            <button type="button" className={`secondary${scheduleOpen ? ' active' : ''}`} onClick={() => setScheduleOpen(!scheduleOpen)} title="Send later">
              <Icon name="clock" /> Later
            </button>
          )}
          <button type="submit" className="primary" disabled={!canSend} data-testid="send-button">
            {busy ? 'Sending…' : scheduleOpen && sendAt ? 'Schedule' : (props.submitLabel ?? 'Send')}
          </button>
        </div>
      </div>
      {error && (
        <div className="notice error" role="alert" data-testid="send-error">
          {error}
        </div>
      )}
    </form>
  );
}
