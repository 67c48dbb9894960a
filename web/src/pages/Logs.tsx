/** Message logs (F22): every message with filters, paging, CSV export and a per-day chart. */
import { useEffect, useState, type FormEvent } from 'react';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, errorText, withQuery } from '../lib/api';
import { formatPhone, fullTime } from '../lib/format';
import type { Message, Page } from '../lib/types';
import { StatusBadge } from '../components/MessageBubble';
import { DayChart } from '../components/DayChart';
import { Icon } from '../components/Icon';
import { useDebounced } from '../lib/use-debounced';

interface Filters {
  since: string;
  until: string;
  direction: string;
  status: string;
  number: string;
  provider: string;
  q: string;
}

const EMPTY: Filters = { since: '', until: '', direction: '', status: '', number: '', provider: '', q: '' };
/** "Failed" means the carrier did not deliver it either (undelivered), as in the inbox. */
const STATUSES: Array<[string, string]> = [
  ['queued', 'queued'],
  ['sending', 'sending'],
  ['sent', 'sent'],
  ['delivered', 'delivered'],
  ['failed,undelivered', 'failed or undelivered'],
  ['undelivered', 'undelivered only'],
  ['received', 'received'],
];

function toQuery(filters: Filters) {
  return {
    since: filters.since ? new Date(filters.since).toISOString() : undefined,
    until: filters.until ? new Date(filters.until).toISOString() : undefined,
    direction: filters.direction || undefined,
    status: filters.status || undefined,
    number: filters.number.trim() || undefined,
    provider: filters.provider || undefined,
    q: filters.q.trim() || undefined,
  };
}

export default function LogsPage() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  // Typing in the number or text box searches once typing pauses.
  const typed = useDebounced(draft, 300);
  useEffect(() => setFilters(typed), [typed]);
  const query = toQuery(filters);
  const logs = useInfiniteQuery({
    queryKey: ['logs', query],
    queryFn: ({ pageParam }) => api<Page<Message>>('/messages', { query: { ...query, cursor: pageParam ?? undefined, limit: 50, total: pageParam ? undefined : true } }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const stats = useQuery({ queryKey: ['logs', 'stats'], queryFn: () => api<{ days: Array<{ date: string; total: number; byStatus: Record<string, number> }>; statuses: string[] }>('/stats/messages-per-day', { query: { days: 14 } }) });
  const types = useQuery({ queryKey: ['provider-types'], queryFn: () => api<Page<{ type: string; displayName: string }>>('/provider-types'), staleTime: 3600_000 });
  const rows = logs.data?.pages.flatMap((p) => p.items) ?? [];
  const total = logs.data?.pages[0]?.total;
  const set = (key: keyof Filters) => (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
  };
  const csvHref = `/api/v1${withQuery('/messages', { ...query, format: 'csv' })}`;

  return (
    <div className="page logs-page">
      <div className="page-head">
        <h1>Message logs</h1>
        <a className="button secondary" href={csvHref} download data-testid="csv-export">
          <Icon name="download" /> Export CSV
        </a>
      </div>
      <div className="card">{stats.data ? <DayChart days={stats.data.days} statuses={stats.data.statuses} /> : <p className="muted">{stats.isError ? errorText(stats.error) : 'Loading chart…'}</p>}</div>
      <form className="card filters" onSubmit={apply} data-testid="log-filters">
        <label>
          Since
          <input type="datetime-local" name="since" value={draft.since} onChange={set('since')} />
        </label>
        <label>
          Until
          <input type="datetime-local" name="until" value={draft.until} onChange={set('until')} />
        </label>
        <label>
          Direction
          <select name="direction" value={draft.direction} onChange={set('direction')}>
            <option value="">Any</option>
            <option value="inbound">Inbound</option>
            <option value="outbound">Outbound</option>
          </select>
        </label>
        <label>
          Status
          <select name="status" value={draft.status} onChange={set('status')}>
            <option value="">Any</option>
            {STATUSES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Number
          <input name="number" type="search" placeholder="Any format: (555) 987-6543" value={draft.number} onChange={set('number')} />
        </label>
        <label>
          Provider
          <select name="provider" value={draft.provider} onChange={set('provider')}>
            <option value="">Any</option>
            {(types.data?.items ?? []).map((t) => (
              <option key={t.type} value={t.type}>
                {t.displayName}
              </option>
            ))}
          </select>
        </label>
        <label className="grow">
          Text
          <input name="q" type="search" placeholder="Words in the message" value={draft.q} onChange={set('q')} />
        </label>
        <div className="filter-actions">
          <button className="primary" type="submit">
            Apply
          </button>
          <button
            className="secondary"
            type="button"
            onClick={() => {
              setDraft(EMPTY);
              setFilters(EMPTY);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {logs.isError && <div className="notice error">{errorText(logs.error)}</div>}
      <p className="muted" data-testid="log-total">
        {total !== undefined ? `${total} message${total === 1 ? '' : 's'}` : ''}
      </p>
      <div className="table-wrap card">
        <table className="table" data-testid="log-table">
          <thead>
            <tr>
              <th>Time</th>
              <th>Dir.</th>
              <th>From</th>
              <th>To</th>
              <th>Status</th>
              <th>Provider</th>
              <th>Text</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((m) => (
              <tr key={m.id} data-testid="log-row">
                <td className="nowrap">{fullTime(m.createdAt)}</td>
                <td>{m.direction === 'inbound' ? 'in' : 'out'}</td>
                <td className="nowrap">{formatPhone(m.from)}</td>
                <td className="nowrap">{(Array.isArray(m.to) ? m.to : [m.to]).map(formatPhone).join(', ')}</td>
                <td>
                  <StatusBadge message={m} />
                  {m.error && <div className="small error-text">{m.error.message || m.error.code}</div>}
                </td>
                <td>{m.providerType ?? '—'}</td>
                <td className="body-cell">
                  {m.body}
                  {m.media.length > 0 && <span className="muted"> [{m.media.length} attachment{m.media.length === 1 ? '' : 's'}]</span>}
                </td>
              </tr>
            ))}
            {!logs.isLoading && rows.length === 0 && (
              <tr>
                <td colSpan={7} className="muted">
                  No messages match these filters.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {logs.hasNextPage && (
        <button className="secondary load-more" onClick={() => void logs.fetchNextPage()} disabled={logs.isFetchingNextPage}>
          Load more
        </button>
      )}
    </div>
  );
}
