/** Event webhooks (F28): subscribe endpoints, see the secret once, rotate it, send a test event, read the delivery log and resend. */
import { useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, errorText } from '../lib/api';
import { useFieldErrors } from '../components/FieldErrors';
import { fullTime } from '../lib/format';
import type { Page } from '../lib/types';
import '../components/automation.css';
import './workflows.css';

interface Endpoint {
  id: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: string | null;
  rotation: { previousSecretExpiresAt: string } | null;
  createdAt: string;
}

interface Delivery {
  id: string;
  eventType: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: Array<{ attempt: number; statusCode: number | null; latencyMs: number; response: string | null; error: string | null; at: string }>;
  nextAttemptAt: string | null;
  createdAt: string;
}

const EVENTS = ['message.received', 'message.status', 'message.created', 'conversation.updated', 'contact.created', 'contact.updated', 'optout.changed', 'workflow.run.failed'];

function SecretOnce({ secret, onClose }: { secret: string; onClose(): void }) {
  return (
    <div className="notice success" role="status" data-testid="webhook-secret">
      <p>
        Signing secret — copy it now, it is not shown again. Verify deliveries with any Standard Webhooks library (headers <code>webhook-id</code>, <code>webhook-timestamp</code>, <code>webhook-signature</code>).
      </p>
      <code className="secret" data-testid="webhook-secret-value">
        {secret}
      </code>{' '}
      <button className="link-button" onClick={() => void navigator.clipboard?.writeText(secret)}>
        Copy
      </button>{' '}
      <button className="link-button" onClick={onClose}>
        I have saved it
      </button>
    </div>
  );
}

function CreateForm({ onCreated }: { onCreated(secret: string): void }) {
  const client = useQueryClient();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<string[]>(['message.received', 'message.status']);
  const [error, setError] = useState<unknown>(null);
  const errors = useFieldErrors(error, () => setError(null), ['url', 'description', 'events']);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const created = await api<Endpoint & { secret: string }>('/event-webhooks', { method: 'POST', body: { url, description, events } });
      await client.invalidateQueries({ queryKey: ['event-webhooks'] });
      setUrl('');
      setDescription('');
      onCreated(created.secret);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="card form-grid" onSubmit={submit} onChange={errors.onChange} data-testid="webhook-form">
      <label>
        Endpoint URL
        <input name="webhookUrl" type="url" required value={url} placeholder="https://crm.example.com/switchboard" onChange={(e) => setUrl(e.target.value)} {...errors.input('url')} />
        {errors.note('url')}
      </label>
      <label>
        Description
        <input name="webhookDescription" value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} {...errors.input('description')} />
        {errors.note('description')}
      </label>
      <fieldset {...errors.input('events')}>
        <legend>Events</legend>
        {EVENTS.map((name) => (
          <label key={name} className="check">
            <input type="checkbox" checked={events.includes(name)} onChange={(e) => setEvents(e.target.checked ? [...events, name] : events.filter((x) => x !== name))} /> {name}
          </label>
        ))}
        {errors.note('events')}
      </fieldset>
      <div>
        <button className="primary" type="submit" data-testid="create-webhook" disabled={events.length === 0}>
          Subscribe endpoint
        </button>
      </div>
      {errors.rest}
    </form>
  );
}

function DeliveryLog({ endpoint }: { endpoint: Endpoint }) {
  const deliveries = useQuery({
    queryKey: ['event-webhooks', endpoint.id, 'deliveries'],
    queryFn: () => api<Page<Delivery>>(`/event-webhooks/${endpoint.id}/deliveries`, { query: { limit: 50 } }),
    refetchInterval: 2000,
  });
  const [error, setError] = useState<string | null>(null);
  const resend = async (delivery: Delivery) => {
    setError(null);
    try {
      await api(`/event-webhooks/${endpoint.id}/deliveries/${delivery.id}/resend`, { method: 'POST' });
      await deliveries.refetch();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div data-testid="delivery-log">
      {error && (
        <div className="notice error" role="alert">
          {error}
        </div>
      )}
      <table className="table">
        <thead>
          <tr>
            <th>Event</th>
            <th>Status</th>
            <th>Attempts (code, latency, answer)</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(deliveries.data?.items ?? []).length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                No deliveries yet.
              </td>
            </tr>
          )}
          {(deliveries.data?.items ?? []).map((delivery) => (
            <tr key={delivery.id} data-testid="delivery-row">
              <td>
                {delivery.eventType}
                <br />
                <small className="muted">{fullTime(delivery.createdAt)}</small>
              </td>
              <td data-testid="delivery-status">
                {delivery.status}
                {delivery.nextAttemptAt && delivery.status === 'pending' ? <small className="muted"> · next {fullTime(delivery.nextAttemptAt)}</small> : null}
              </td>
              <td>
                {delivery.attempts.map((a) => (
                  <div key={a.attempt} data-testid="delivery-attempt">
                    #{a.attempt} {a.statusCode ?? 'no answer'} · {a.latencyMs} ms · <span className="muted">{(a.error ?? a.response ?? '').slice(0, 120)}</span>
                  </div>
                ))}
              </td>
              <td>
                {delivery.status !== 'pending' && (
                  <button className="link-button" onClick={() => void resend(delivery)}>
                    Resend
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export default function EventWebhooksPage() {
  const client = useQueryClient();
  const endpoints = useQuery({ queryKey: ['event-webhooks'], queryFn: () => api<Page<Endpoint>>('/event-webhooks', { query: { limit: 200 } }), select: (d) => d.items, refetchInterval: 5000 });
  const [secret, setSecret] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      await client.invalidateQueries({ queryKey: ['event-webhooks'] });
    } catch (err) {
      setError(errorText(err));
    }
  };
  const disabled = (endpoints.data ?? []).filter((e) => e.disabledReason);
  return (
    <div className="page event-webhooks-page">
      <h1>Event webhooks</h1>
      <p className="muted">Switchboard POSTs events to your endpoints as JSON <code>{'{type, timestamp, data}'}</code>, signed per the Standard Webhooks specification, retried for about a day.</p>
      {disabled.map((e) => (
        <div key={e.id} className="notice error" role="alert" data-testid="webhook-disabled-notice">
          {e.url} was disabled {e.disabledAt ? fullTime(e.disabledAt) : ''}: {e.disabledReason}
        </div>
      ))}
      {secret && <SecretOnce secret={secret} onClose={() => setSecret(null)} />}
      <CreateForm onCreated={setSecret} />
      {error && (
        <div className="notice error" role="alert">
          {error}
        </div>
      )}
      <ul className="card list" data-testid="webhook-list">
        {(endpoints.data ?? []).length === 0 && <li className="muted">No endpoints yet.</li>}
        {(endpoints.data ?? []).map((endpoint) => (
          <li key={endpoint.id} data-testid="webhook-item">
            <strong>{endpoint.url}</strong> <span className={`pill ${endpoint.enabled ? '' : 'muted'}`}>{endpoint.enabled ? 'enabled' : 'disabled'}</span>
            {endpoint.description && <div className="muted">{endpoint.description}</div>}
            <div className="muted">{endpoint.events.join(', ')}</div>
            {endpoint.rotation && <div className="muted">Previous secret still signs until {fullTime(endpoint.rotation.previousSecretExpiresAt)}</div>}
            <div>
              <button className="link-button" data-testid="webhook-test" onClick={() => void act(() => api(`/event-webhooks/${endpoint.id}/test`, { method: 'POST' }).then(() => setOpen(endpoint.id)))}>
                Send test event
              </button>{' '}
              <button className="link-button" data-testid="webhook-log-toggle" onClick={() => setOpen(open === endpoint.id ? null : endpoint.id)}>
                {open === endpoint.id ? 'Hide deliveries' : 'Deliveries'}
              </button>{' '}
              <button
                className="link-button"
                onClick={() =>
                  void act(async () => {
                    if (!window.confirm('Rotate the secret? The old one keeps signing for 24 hours.')) return;
                    const rotated = await api<{ secret: string }>(`/event-webhooks/${endpoint.id}/rotate-secret`, { method: 'POST', body: {} });
                    setSecret(rotated.secret);
                  })
                }
              >
                Rotate secret
              </button>{' '}
              <button className="link-button" onClick={() => void act(() => api(`/event-webhooks/${endpoint.id}`, { method: 'PATCH', body: { enabled: !endpoint.enabled } }))}>
                {endpoint.enabled ? 'Disable' : 'Enable'}
              </button>{' '}
              <button className="link-button" onClick={() => void act(async () => window.confirm(`Delete ${endpoint.url}?`) && api(`/event-webhooks/${endpoint.id}`, { method: 'DELETE' }))}>
                Delete
              </button>
            </div>
            {open === endpoint.id && <DeliveryLog endpoint={endpoint} />}
          </li>
        ))}
      </ul>
    </div>
  );
}
