/**
 * Compose's template picker (F24): choose a template, fill its own variables, and see it rendered
 * for the recipient (their contact's data) with its segment count; "Use" puts the text in the editor.
 * A variable that renders to nothing is named and blocks "Use".
 */
import { useEffect, useMemo, useState } from 'react';
import { api, errorText } from '../lib/api';
import { useTemplates, type RenderedTemplate } from '../lib/automation';
import type { Attachment } from './MessageEditor';
import './automation.css';

const BUILT_IN = new Set(['contact', 'user', 'tenant', 'message']);

/** Top-level names in {{ … }} the caller must fill (not contact.*, user.*, tenant.*). */
function ownVariables(body: string): string[] {
  const names = new Set<string>();
  for (const match of body.matchAll(/\{\{-?\s*([A-Za-z_][A-Za-z0-9_]*)/g)) if (!BUILT_IN.has(match[1]!)) names.add(match[1]!);
  return [...names];
}

export function useTemplateFill() {
  const [text, setText] = useState<string | undefined>(undefined);
  const [media, setMedia] = useState<Attachment[]>([]);
  const [version, setVersion] = useState(0);
  const apply = (next: string, mediaIds: string[]) => {
    setText(next);
    setMedia(mediaIds.map((id, index) => ({ id, name: `Template picture ${index + 1}`, contentType: 'image', size: 0, previewUrl: null })));
    setVersion((v) => v + 1);
  };
  return { text, media, version, apply };
}

export function TemplatePicker({ to, onUse }: { to: string | null; onUse(text: string, mediaIds: string[]): void }) {
  const templates = useTemplates();
  const [templateId, setTemplateId] = useState('');
  const [variables, setVariables] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<RenderedTemplate | null>(null);
  const [error, setError] = useState<string | null>(null);
  const template = templates.data?.find((t) => t.id === templateId);
  const names = useMemo(() => (template ? ownVariables(template.body) : []), [template]);
  const variablesKey = JSON.stringify(variables);

  useEffect(() => {
    if (!templateId) {
      setPreview(null);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      const filled = Object.fromEntries(Object.entries(variables).filter(([, v]) => v !== ''));
      api<RenderedTemplate>(`/templates/${templateId}/render`, { method: 'POST', body: { ...(to ? { to } : {}), variables: filled }, signal: controller.signal })
        .then((result) => {
          setPreview(result);
          setError(null);
        })
        .catch((err: unknown) => {
          if (!controller.signal.aborted) setError(errorText(err));
        });
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // variablesKey stands for variables.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [templateId, to, variablesKey]);

  if ((templates.data ?? []).length === 0) return null;
  return (
    <div className="template-picker" data-testid="template-picker">
      <label>
        Template
        <select name="template" value={templateId} onChange={(e) => (setTemplateId(e.target.value), setVariables({}))}>
          <option value="">None — write freely</option>
          {templates.data!.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      {names.map((name) => (
        <label key={name}>
          {name}
          <input name={`var-${name}`} value={variables[name] ?? ''} onChange={(e) => setVariables({ ...variables, [name]: e.target.value })} />
        </label>
      ))}
      {preview && (
        <div className="template-preview" data-testid="template-preview">
          <div className="body">{preview.text}</div>
          {preview.mediaIds.length > 0 && <small className="muted">With {preview.mediaIds.length} picture{preview.mediaIds.length > 1 ? 's' : ''} (sent as MMS).</small>}
          <small className="muted" data-testid="template-segments">
            {preview.encoding} · {preview.segments} {preview.segments === 1 ? 'segment' : 'segments'}
            {to ? '' : ' · pick a recipient to fill their contact details'}
          </small>
          {preview.emptyVariables.length > 0 && (
            <div className="notice error" role="alert" data-testid="template-empty">
              Empty: {preview.emptyVariables.join(', ')}. Fill {preview.emptyVariables.length > 1 ? 'them' : 'it'} before sending.
            </div>
          )}
          <button type="button" className="secondary" data-testid="use-template" disabled={preview.emptyVariables.length > 0} onClick={() => onUse(preview.text, preview.mediaIds)}>
            Use this text
          </button>
        </div>
      )}
      {error && (
        <div className="notice error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
