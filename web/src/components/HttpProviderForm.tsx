/**
 * The generic HTTP provider (F35) in the admin provider form: the request template, answer
 * rules, inbound and receipt mapping and webhook check as fields (saved as the `config`
 * credential), and the "Try it" panel showing the exact request Switchboard would send and what
 * a pasted carrier payload maps to. Presets (Aire Networks) use only the Try-it panel.
 */
import { useEffect, useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { api, errorText } from '../lib/api';

const OUR_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed'];
const VARIABLES = '{{ from }} {{ to }} {{ body }} {{ media_urls }} {{ message_id }} {{ status_callback_url }} — filters: | e164, | digits, | national';

/** Every field of the form as text; turned into the config JSON on each change. */
interface Draft {
  method: string;
  url: string;
  headers: string;
  authType: string;
  authName: string;
  bodyFormat: string;
  body: string;
  successStatuses: string;
  successPath: string;
  successValue: string;
  messageIdPath: string;
  errorCodePath: string;
  errorMessagePath: string;
  retryStatuses: string;
  retryValues: string;
  inFrom: string;
  inTo: string;
  inBody: string;
  inMedia: string;
  inId: string;
  rcptId: string;
  rcptStatus: string;
  rcptTable: string;
  rcptError: string;
  hookType: string;
  hookHeader: string;
  hookEncoding: string;
}

const EMPTY: Draft = {
  method: 'POST',
  url: '',
  headers: '',
  authType: 'none',
  authName: '',
  bodyFormat: 'json',
  body: '{\n  "from": "{{ from }}",\n  "to": "{{ to | e164 }}",\n  "text": "{{ body }}"\n}',
  successStatuses: '',
  successPath: '',
  successValue: '',
  messageIdPath: '',
  errorCodePath: '',
  errorMessagePath: '',
  retryStatuses: '',
  retryValues: '',
  inFrom: '',
  inTo: '',
  inBody: '',
  inMedia: '',
  inId: '',
  rcptId: '',
  rcptStatus: '',
  rcptTable: '',
  rcptError: '',
  hookType: 'token',
  hookHeader: '',
  hookEncoding: 'hex',
};

const list = (text: string) =>
  text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
const numbers = (text: string) => list(text).map(Number);
const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text; // sent as is: the server names the field that is not valid
  }
};
const compact = <T extends Record<string, unknown>>(value: T) => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== '' && v !== undefined && !(Array.isArray(v) && v.length === 0)));

/** The draft as the server's configuration object. */
export function draftToConfig(d: Draft): Record<string, unknown> {
  const request = compact({
    method: d.method,
    url: d.url,
    headers: d.headers.trim() ? parseJson(d.headers) : undefined,
    auth: d.authType === 'none' ? undefined : compact({ type: d.authType, name: d.authName }),
    bodyFormat: d.bodyFormat,
    body: d.bodyFormat === 'none' || d.method === 'GET' ? undefined : parseJson(d.body),
  });
  const response = compact({
    successStatuses: numbers(d.successStatuses),
    successPath: d.successPath,
    successValue: d.successPath ? d.successValue : undefined,
    messageIdPath: d.messageIdPath,
    errorCodePath: d.errorCodePath,
    errorMessagePath: d.errorMessagePath,
    retryStatuses: d.retryStatuses.trim() ? numbers(d.retryStatuses) : undefined,
    retryValues: list(d.retryValues),
  });
  const config: Record<string, unknown> = { request };
  if (Object.keys(response).length) config.response = response;
  if (d.inFrom || d.inTo || d.inBody) config.inbound = compact({ from: d.inFrom, to: d.inTo, body: d.inBody, mediaUrls: d.inMedia, messageId: d.inId });
  if (d.rcptId || d.rcptStatus) {
    const statuses = Object.fromEntries(
      d.rcptTable
        .split('\n')
        .map((line) => line.split('='))
        .filter((pair) => pair.length === 2 && pair[0]!.trim())
        .map(([word, ours]) => [word!.trim(), ours!.trim()]),
    );
    config.receipt = compact({ idPath: d.rcptId, statusPath: d.rcptStatus, statuses, errorCodePath: d.rcptError });
  }
  if (d.hookType !== 'token') config.webhookAuth = compact({ type: d.hookType, header: d.hookHeader, encoding: d.hookType === 'hmac' ? d.hookEncoding : undefined });
  return config;
}

/** A stored configuration back into the form's fields. */
export function configToDraft(config: any): Draft {
  const r = config?.request ?? {};
  const s = config?.response ?? {};
  return {
    ...EMPTY,
    method: r.method ?? 'POST',
    url: r.url ?? '',
    headers: r.headers ? JSON.stringify(r.headers, null, 2) : '',
    authType: r.auth?.type ?? 'none',
    authName: r.auth?.name ?? '',
    bodyFormat: r.bodyFormat ?? (r.method === 'GET' ? 'none' : 'json'),
    body: r.body === undefined ? '' : JSON.stringify(r.body, null, 2),
    successStatuses: (s.successStatuses ?? []).join(', '),
    successPath: s.successPath ?? '',
    successValue: s.successValue ?? '',
    messageIdPath: s.messageIdPath ?? '',
    errorCodePath: s.errorCodePath ?? '',
    errorMessagePath: s.errorMessagePath ?? '',
    retryStatuses: (s.retryStatuses ?? []).join(', '),
    retryValues: (s.retryValues ?? []).join(', '),
    inFrom: config?.inbound?.from ?? '',
    inTo: config?.inbound?.to ?? '',
    inBody: config?.inbound?.body ?? '',
    inMedia: config?.inbound?.mediaUrls ?? '',
    inId: config?.inbound?.messageId ?? '',
    rcptId: config?.receipt?.idPath ?? '',
    rcptStatus: config?.receipt?.statusPath ?? '',
    rcptTable: Object.entries(config?.receipt?.statuses ?? {})
      .map(([word, ours]) => `${word}=${ours}`)
      .join('\n'),
    rcptError: config?.receipt?.errorCodePath ?? '',
    hookType: config?.webhookAuth?.type ?? 'token',
    hookHeader: config?.webhookAuth?.header ?? '',
    hookEncoding: config?.webhookAuth?.encoding ?? 'hex',
  };
}

function Field({ label, name, value, onChange, placeholder, hint }: { label: string; name: string; value: string; onChange(v: string): void; placeholder?: string; hint?: string }) {
  return (
    <label>
      {label}
      <input name={name} value={value} placeholder={placeholder} autoComplete="off" onChange={(e) => onChange(e.target.value)} />
      {hint && <span className="muted small">{hint}</span>}
    </label>
  );
}

function Choice({ label, name, value, options, onChange }: { label: string; name: string; value: string; options: string[]; onChange(v: string): void }) {
  return (
    <label>
      {label}
      <select name={name} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * The generic HTTP account's fields. Writes `config` (JSON text) and the secrets into the
 * parent form's credentials; an existing account's configuration is loaded to edit.
 */
export function HttpConfigFields({ credentials, onChange, accountId }: { credentials: Record<string, string>; onChange(next: Record<string, string>): void; accountId?: string }) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [loaded, setLoaded] = useState(!accountId);
  useEffect(() => {
    if (!accountId) return;
    void api<{ config: unknown }>(`/provider-accounts/${accountId}/http-config`).then((stored) => {
      setDraft(configToDraft(stored.config));
      setLoaded(true);
    });
  }, [accountId]);
  useEffect(() => {
    if (loaded) onChange({ ...credentials, config: JSON.stringify(draftToConfig(draft)) });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- rewrite config only when the draft changes
  }, [draft, loaded]);
  const set = (key: keyof Draft) => (value: string) => setDraft({ ...draft, [key]: value });
  const secret = (key: string, label: string) => (
    <label>
      {label}
      <input
        name={`cred-${key}`}
        type={key === 'username' ? 'text' : 'password'}
        autoComplete="off"
        placeholder={accountId ? '(unchanged)' : ''}
        value={credentials[key] ?? ''}
        onChange={(e) => onChange({ ...credentials, [key]: e.target.value })}
      />
    </label>
  );
  return (
    <div className="form-grid" data-testid="http-config">
      <h3>Outbound request</h3>
      <p className="muted small">Variables: {VARIABLES}</p>
      <Choice label="Method" name="http-method" value={draft.method} options={['POST', 'GET', 'PUT', 'PATCH']} onChange={set('method')} />
      <Field label="URL (full, or a path under the base URL)" name="http-url" value={draft.url} onChange={set('url')} placeholder="https://api.carrier.example/sms/send" />
      <label>
        Extra headers (JSON object, optional)
        <textarea name="http-headers" rows={2} value={draft.headers} onChange={(e) => set('headers')(e.target.value)} placeholder='{"X-Client": "switchboard"}' />
      </label>
      <Choice label="Authentication" name="http-auth" value={draft.authType} options={['none', 'basic', 'bearer', 'header', 'query']} onChange={set('authType')} />
      {(draft.authType === 'header' || draft.authType === 'query') && <Field label="API key header or query parameter name" name="http-auth-name" value={draft.authName} onChange={set('authName')} placeholder="X-Api-Key" />}
      {draft.authType === 'basic' && secret('username', 'Username')}
      {draft.authType === 'basic' && secret('password', 'Password')}
      {['bearer', 'header', 'query'].includes(draft.authType) && secret('token', 'Token or API key')}
      {draft.method !== 'GET' && <Choice label="Body format" name="http-body-format" value={draft.bodyFormat} options={['json', 'form', 'none']} onChange={set('bodyFormat')} />}
      {draft.method !== 'GET' && draft.bodyFormat !== 'none' && (
        <label>
          Body ({draft.bodyFormat === 'form' ? 'JSON object: field name → template' : 'JSON; string values are templates'})
          <textarea name="http-body" rows={6} className="mono" value={draft.body} onChange={(e) => set('body')(e.target.value)} />
        </label>
      )}
      <h3>Carrier answer</h3>
      <Field label="Success status codes (default any 2xx)" name="http-success-statuses" value={draft.successStatuses} onChange={set('successStatuses')} placeholder="200, 201" />
      <Field label="Success field (JSON path, optional)" name="http-success-path" value={draft.successPath} onChange={set('successPath')} placeholder="status" />
      {draft.successPath && <Field label="…must equal" name="http-success-value" value={draft.successValue} onChange={set('successValue')} placeholder="accepted" />}
      <Field label="Message id (JSON path)" name="http-id-path" value={draft.messageIdPath} onChange={set('messageIdPath')} placeholder="data.id" hint="empty: the carrier returns no id; receipts must carry {{ message_id }}" />
      <Field label="Error code (JSON path)" name="http-error-code-path" value={draft.errorCodePath} onChange={set('errorCodePath')} placeholder="error.code" />
      <Field label="Error message (JSON path)" name="http-error-message-path" value={draft.errorMessagePath} onChange={set('errorMessagePath')} placeholder="error.message" />
      <Field label="Retry-later status codes" name="http-retry-statuses" value={draft.retryStatuses} onChange={set('retryStatuses')} placeholder="408, 425, 429, 500, 502, 503, 504" hint="every other failure is permanent" />
      <Field label="Retry-later error codes" name="http-retry-values" value={draft.retryValues} onChange={set('retryValues')} placeholder="THROTTLED" />
      <h3>Inbound messages</h3>
      <p className="muted small">JSON paths (data.from), or form / query field names (From, MediaUrl*).</p>
      <Field label="From" name="http-in-from" value={draft.inFrom} onChange={set('inFrom')} placeholder="msisdn" />
      <Field label="To" name="http-in-to" value={draft.inTo} onChange={set('inTo')} placeholder="shortcode" />
      <Field label="Text" name="http-in-body" value={draft.inBody} onChange={set('inBody')} placeholder="text" />
      <Field label="Media URLs" name="http-in-media" value={draft.inMedia} onChange={set('inMedia')} placeholder="media[*].url" />
      <Field label="Message id" name="http-in-id" value={draft.inId} onChange={set('inId')} placeholder="mo_id" />
      <h3>Delivery receipts</h3>
      <Field label="Message id" name="http-rcpt-id" value={draft.rcptId} onChange={set('rcptId')} placeholder="msg_id" />
      <Field label="Status" name="http-rcpt-status" value={draft.rcptStatus} onChange={set('rcptStatus')} placeholder="state" />
      <label>
        Status words, one per line: carrier word=ours ({OUR_STATUSES.join(', ')})
        <textarea name="http-rcpt-table" rows={4} className="mono" value={draft.rcptTable} onChange={(e) => set('rcptTable')(e.target.value)} placeholder={'DELIVRD=delivered\nUNDELIV=undelivered'} />
      </label>
      <Field label="Error code" name="http-rcpt-error" value={draft.rcptError} onChange={set('rcptError')} placeholder="err" />
      <h3>Webhook check</h3>
      <p className="muted small">The webhook URL always carries a secret token; a header secret or HMAC signature can be checked too.</p>
      <Choice label="Check" name="http-hook-type" value={draft.hookType} options={['token', 'header', 'hmac']} onChange={set('hookType')} />
      {draft.hookType !== 'token' && <Field label="Header" name="http-hook-header" value={draft.hookHeader} onChange={set('hookHeader')} placeholder={draft.hookType === 'hmac' ? 'X-Signature' : 'X-Webhook-Secret'} />}
      {draft.hookType === 'hmac' && <Choice label="Signature encoding" name="http-hook-encoding" value={draft.hookEncoding} options={['hex', 'base64']} onChange={set('hookEncoding')} />}
      {draft.hookType !== 'token' && secret('webhookSecret', 'Webhook secret')}
    </div>
  );
}

interface PreviewAnswer {
  ok: boolean;
  error: { field: string | null; message: string } | null;
  request: { ok: true; request: { method: string; url: string; headers: Record<string, string>; body?: string } } | { ok: false; error: { message: string } } | null;
  inbound: { ok: true; kind: string; result: unknown } | { ok: false; error: { field: string | null; message: string } } | null;
}

/** "Try it": the request for a sample message, and a pasted payload mapped. Nothing is sent. */
export function TryIt({ type, credentials, baseUrl, accountId }: { type: string; credentials: Record<string, string>; baseUrl: string; accountId?: string }) {
  const [to, setTo] = useState('+15551234567');
  const [body, setBody] = useState('Hello from Switchboard');
  const [payload, setPayload] = useState('');
  const [format, setFormat] = useState('json');
  const preview = useMutation({
    mutationFn: (withInbound: boolean) => {
      const filled = Object.fromEntries(Object.entries(credentials).filter(([, v]) => v !== ''));
      const inbound = !withInbound
        ? undefined
        : format === 'query'
          ? { method: 'GET', query: Object.fromEntries(new URLSearchParams(payload.trim().replace(/^[^?]*\?/, ''))) }
          : { method: 'POST', contentType: format === 'json' ? 'application/json' : 'application/x-www-form-urlencoded', body: payload };
      return api<PreviewAnswer>(`/provider-types/${type}/preview`, { method: 'POST', body: { credentials: filled, accountId, baseUrl: baseUrl || null, sample: { to, body }, inbound } });
    },
  });
  const answer = preview.data;
  const request = answer?.request;
  return (
    <fieldset className="form-grid" data-testid="try-it">
      <legend>Try it</legend>
      <div className="inline-form">
        <input name="try-to" value={to} onChange={(e) => setTo(e.target.value)} aria-label="Sample recipient" />
        <input name="try-body" value={body} onChange={(e) => setBody(e.target.value)} aria-label="Sample text" />
        <button type="button" className="secondary" data-testid="preview-request" disabled={preview.isPending} onClick={() => preview.mutate(payload.trim() !== '')}>
          Preview request
        </button>
      </div>
      {answer && !answer.ok && answer.error && (
        <div className="notice error" role="alert" data-testid="preview-error">
          {answer.error.message}
        </div>
      )}
      {request && (
        <pre className="provider-answer" data-testid="preview-request-result">
          {request.ok
            ? `${request.request.method} ${request.request.url}\n${Object.entries(request.request.headers)
                .map(([k, v]) => `${k}: ${v}`)
                .join('\n')}${request.request.body !== undefined ? `\n\n${request.request.body}` : ''}`
            : `Cannot build the request: ${request.error.message}`}
        </pre>
      )}
      <label>
        Paste a sample payload from the carrier
        <textarea name="try-payload" rows={4} className="mono" value={payload} onChange={(e) => setPayload(e.target.value)} placeholder='{"msisdn": "34612345678", "text": "Hi"}' />
      </label>
      <div className="inline-form">
        <select name="try-format" value={format} onChange={(e) => setFormat(e.target.value)} aria-label="Payload format">
          <option value="json">JSON POST</option>
          <option value="form">form POST</option>
          <option value="query">GET query</option>
        </select>
        <button type="button" className="secondary" data-testid="preview-inbound" disabled={preview.isPending || !payload.trim()} onClick={() => preview.mutate(true)}>
          Map payload
        </button>
      </div>
      {answer?.inbound && (
        <pre className={`provider-answer${answer.inbound.ok ? '' : ' error'}`} data-testid="preview-inbound-result">
          {answer.inbound.ok ? `${answer.inbound.kind}:\n${JSON.stringify(answer.inbound.result, null, 2)}` : `Not mapped: ${answer.inbound.error.message}`}
        </pre>
      )}
      {preview.error && (
        <div className="notice error" role="alert">
          {errorText(preview.error)}
        </div>
      )}
    </fieldset>
  );
}
