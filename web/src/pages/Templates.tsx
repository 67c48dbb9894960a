/** Message templates (F24): saved texts with Liquid variables, used in compose, the API and workflows. */
import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, errorText } from '../lib/api';
import { useFieldErrors } from '../components/FieldErrors';
import { useAuth } from '../lib/auth';
import { useTemplates, type Template } from '../lib/automation';
import '../components/automation.css';

const VARIABLES = ['{{ contact.first_name }}', '{{ contact.last_name }}', '{{ contact.name }}', '{{ contact.fields.invoice_no }}', '{{ user.name }}', '{{ tenant.name }}'];

function TemplateForm({ initial, onDone }: { initial: Template | null; onDone(): void }) {
  const client = useQueryClient();
  const [name, setName] = useState(initial?.name ?? '');
  const [body, setBody] = useState(initial?.body ?? '');
  const [mediaIds, setMediaIds] = useState<string[]>(initial?.mediaIds ?? []);
  const [uploading, setUploading] = useState(false);
  const upload = async (files: FileList | null) => {
    const file = files?.[0];
    if (!file) return;
    setUploading(true);
    setError(null);
    try {
      const form = new FormData();
      form.append('file', file, file.name);
      const saved = await api<{ id: string }>('/media', { method: 'POST', body: form });
      setMediaIds((ids) => [...ids, saved.id]);
    } catch (err) {
      setError(err);
    } finally {
      setUploading(false);
    }
  };
  const [error, setError] = useState<unknown>(null);
  const errors = useFieldErrors(error, () => setError(null), ['name', 'body', 'mediaIds']);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api(initial ? `/templates/${initial.id}` : '/templates', { method: initial ? 'PATCH' : 'POST', body: { name, body, mediaIds } });
      await client.invalidateQueries({ queryKey: ['templates'] });
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card form-grid" onSubmit={submit} onChange={errors.onChange} data-testid="template-form">
      <label>
        Name
        <input name="templateName" value={name} required maxLength={200} onChange={(e) => setName(e.target.value)} {...errors.input('name')} />
        {errors.note('name')}
      </label>
      <label>
        Text
        <textarea name="templateBody" rows={4} value={body} required maxLength={10000} onChange={(e) => setBody(e.target.value)} {...errors.input('body')} />
        {errors.note('body')}
      </label>
      <label>
        Picture (optional, sent as MMS)
        <input type="file" name="templateMedia" accept="image/*" disabled={uploading} onChange={(e) => void upload(e.target.files)} {...errors.input('mediaIds')} />
        {errors.note('mediaIds')}
      </label>
      {mediaIds.length > 0 && (
        <div className="muted" data-testid="template-media">
          {mediaIds.length} picture{mediaIds.length > 1 ? 's' : ''} attached{' '}
          <button type="button" className="link-button" onClick={() => setMediaIds([])}>
            Remove
          </button>
        </div>
      )}
      <div className="chips">
        {VARIABLES.map((variable) => (
          <button type="button" key={variable} className="chip" onClick={() => setBody(`${body}${body && !body.endsWith(' ') ? ' ' : ''}${variable}`)}>
            {variable}
          </button>
        ))}
      </div>
      <div>
        <button className="primary" type="submit" disabled={busy} data-testid="save-template">
          {busy ? 'Saving…' : initial ? 'Save template' : 'Create template'}
        </button>{' '}
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
      {errors.rest}
    </form>
  );
}

export default function TemplatesPage() {
  const { isAdmin } = useAuth();
  const client = useQueryClient();
  const templates = useTemplates();
  const [editing, setEditing] = useState<Template | 'new' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const remove = async (template: Template) => {
    if (!window.confirm(`Delete the template "${template.name}"?`)) return;
    try {
      await api(`/templates/${template.id}`, { method: 'DELETE' });
      await client.invalidateQueries({ queryKey: ['templates'] });
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div className="page templates-page">
      <h1>Templates</h1>
      <p className="muted">Use them in New message: the variables are filled for each recipient from their contact. A variable that would be empty stops the send.</p>
      {isAdmin && editing === null && (
        <button className="primary" data-testid="new-template" onClick={() => setEditing('new')}>
          New template
        </button>
      )}
      {editing !== null && <TemplateForm key={editing === 'new' ? 'new' : editing.id} initial={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
      {error && (
        <div className="notice error" role="alert">
          {error}
        </div>
      )}
      <ul className="card list" data-testid="template-list">
        {(templates.data ?? []).length === 0 && <li className="muted">No templates yet.</li>}
        {(templates.data ?? []).map((template) => (
          <li key={template.id} data-testid="template-item">
            <strong>{template.name}</strong>
            <div className="template-body">{template.body}</div>
            {template.mediaIds.length > 0 && <small className="muted">with {template.mediaIds.length} picture{template.mediaIds.length > 1 ? 's' : ''}</small>}
            {isAdmin && (
              <div>
                <button className="link-button" onClick={() => setEditing(template)}>
                  Edit
                </button>{' '}
                <button className="link-button" onClick={() => void remove(template)}>
                  Delete
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
