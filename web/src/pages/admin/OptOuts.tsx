/** Admin → Opt-outs (F27): who may not be texted, added and removed by hand, exported as CSV; the STOP/START/HELP texts. */
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, withQuery } from '../../lib/api';
import { formatPhone, fullTime, guessCountry, toE164 } from '../../lib/format';
import { useDebounced } from '../../lib/use-debounced';
import type { Page } from '../../lib/types';
import { useNumbers } from '../Inbox';
import { ErrorNote, Section } from './shared';
import { useFieldErrors } from '../../components/FieldErrors';

interface OptOut {
  id: string;
  phone: string;
  numberId: string | null;
  number: string | null;
  scope: 'number' | 'tenant';
  source: 'keyword' | 'carrier' | 'admin' | 'import';
  detail: string | null;
  createdAt: string;
}

interface Compliance {
  optOutScope: 'number' | 'tenant';
  optOutReply: string;
  optInReply: string;
  helpText: string;
  unmonitoredReply: string;
}

const SOURCE: Record<OptOut['source'], string> = { keyword: 'Texted STOP', carrier: 'Carrier reported', admin: 'Added by an admin', import: 'Imported' };

export function OptOutsTab() {
  return (
    <>
      <OptOutList />
      <ComplianceTexts />
    </>
  );
}

function OptOutList() {
  const client = useQueryClient();
  const numbers = useNumbers();
  const [filter, setFilter] = useState('');
  const phone = useDebounced(toE164(filter, guessCountry()) ?? '', 300);
  const list = useQuery({ queryKey: ['opt-outs', phone], queryFn: () => api<Page<OptOut>>('/opt-outs', { query: { phone: phone || undefined, limit: 100 } }) });
  const [adding, setAdding] = useState({ phone: '', numberId: '' });
  const add = useMutation({
    mutationFn: () => api('/opt-outs', { method: 'POST', body: { phone: toE164(adding.phone, guessCountry()) ?? adding.phone, numberId: adding.numberId || null } }),
    onSuccess: () => {
      setAdding({ phone: '', numberId: '' });
      void client.invalidateQueries({ queryKey: ['opt-outs'] });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api(`/opt-outs/${id}`, { method: 'DELETE' }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['opt-outs'] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <Section
      title="Opt-outs"
      action={
        <a className="button secondary" href={`/api/v1${withQuery('/opt-outs', { format: 'csv', phone: phone || undefined })}`} download data-testid="opt-outs-csv">
          Download CSV
        </a>
      }
    >
      <p className="muted">Nobody on this list is texted: sends to them are refused before they reach a carrier. People leave it by texting START.</p>
      <form className="inline-form" onSubmit={submit} data-testid="opt-out-form">
        <input name="optOutPhone" aria-label="Phone number to opt out" placeholder="Phone number" value={adding.phone} onChange={(e) => setAdding({ ...adding, phone: e.target.value })} required />
        <select name="optOutNumber" aria-label="Opted out of" value={adding.numberId} onChange={(e) => setAdding({ ...adding, numberId: e.target.value })}>
          <option value="">Every number</option>
          {(numbers.data ?? []).map((n) => (
            <option key={n.id} value={n.id}>
              Only {formatPhone(n.number)}
            </option>
          ))}
        </select>
        <button className="primary" type="submit" disabled={add.isPending}>
          Add opt-out
        </button>
      </form>
      <ErrorNote error={add.error ?? remove.error ?? list.error} />
      <input type="search" aria-label="Find an opted-out number" placeholder="Find a number" value={filter} onChange={(e) => setFilter(e.target.value)} />
      <div className="table-wrap">
        <table className="table stack-on-phone" data-testid="opt-out-table">
          <thead>
            <tr>
              <th>Phone</th>
              <th>Opted out of</th>
              <th>How</th>
              <th>Since</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(list.data?.items ?? []).map((row) => (
              <tr key={row.id} data-testid="opt-out-row">
                <td className="nowrap">{formatPhone(row.phone)}</td>
                <td>{row.scope === 'tenant' ? 'Every number' : formatPhone(row.number ?? '')}</td>
                <td>{SOURCE[row.source]}</td>
                <td className="nowrap">{fullTime(row.createdAt)}</td>
                <td>
                  <button className="secondary small" onClick={() => remove.mutate(row.id)} disabled={remove.isPending} aria-label={`Remove the opt-out of ${formatPhone(row.phone)}`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
            {list.data?.items.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  {phone ? 'That number is not opted out.' : 'Nobody has opted out.'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

function ComplianceTexts() {
  const client = useQueryClient();
  const current = useQuery({ queryKey: ['compliance'], queryFn: () => api<Compliance>('/settings/compliance') });
  const [draft, setDraft] = useState<Compliance | null>(null);
  const value = draft ?? current.data;
  const save = useMutation({
    mutationFn: (body: Compliance) => api<Compliance>('/settings/compliance', { method: 'PATCH', body }),
    onSuccess: (saved) => {
      setDraft(null);
      client.setQueryData(['compliance'], saved);
    },
  });
  const errors = useFieldErrors(save.error, save.reset, ['optOutScope', 'optOutReply', 'optInReply', 'helpText', 'unmonitoredReply']);
  if (!value) return <ErrorNote error={current.error} />;
  const set = (key: keyof Compliance) => (e: { target: { value: string } }) => setDraft({ ...value, [key]: e.target.value } as Compliance);
  return (
    <Section title="Compliance texts">
      <form
        className="form-grid"
        data-testid="compliance-form"
        onChange={errors.onChange}
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(value);
        }}
      >
        <label>
          STOP opts out of
          <select name="optOutScope" value={value.optOutScope} onChange={set('optOutScope')} {...errors.input('optOutScope')}>
            <option value="number">The number they texted</option>
            <option value="tenant">Every number of this organisation</option>
          </select>
          {errors.note('optOutScope')}
        </label>
        <label>
          Reply to STOP
          <textarea name="optOutReply" rows={2} value={value.optOutReply} onChange={set('optOutReply')} maxLength={1000} {...errors.input('optOutReply')} />
          {errors.note('optOutReply')}
        </label>
        <label>
          Reply to START
          <textarea name="optInReply" rows={2} value={value.optInReply} onChange={set('optInReply')} maxLength={1000} {...errors.input('optInReply')} />
          {errors.note('optInReply')}
        </label>
        <label>
          Reply to HELP
          <textarea name="helpText" rows={2} value={value.helpText} onChange={set('helpText')} maxLength={1000} required {...errors.input('helpText')} />
          {errors.note('helpText')}
        </label>
        <label>
          Reply on system notification numbers
          <textarea name="unmonitoredReply" rows={2} value={value.unmonitoredReply} onChange={set('unmonitoredReply')} maxLength={1000} {...errors.input('unmonitoredReply')} />
          {errors.note('unmonitoredReply')}
        </label>
        <div>
          <button className="primary" type="submit" disabled={!draft || save.isPending} data-testid="save-compliance">
            Save texts
          </button>
          {save.isSuccess && !draft && <span className="muted"> Saved.</span>}
        </div>
        {errors.rest}
      </form>
    </Section>
  );
}
