/** The audit log (F29) for owners: who changed what, from where, with filters and CSV export. */
import { useState } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { api, errorText, withQuery } from '../lib/api';
import type { AuditEntry } from '../lib/automation';
import { fullTime } from '../lib/format';
import type { Page } from '../lib/types';
import '../components/automation.css';

const TARGET_TYPES = ['', 'tenant', 'template', 'provider_account', 'number', 'user', 'group', 'api_key', 'opt_out', 'tenant_setting', 'workflow', 'webhook_endpoint'];

function describeChanges(changes: AuditEntry['changes']): string {
  if (!changes) return '';
  return JSON.stringify(changes, null, 1).replace(/\n\s*/g, ' ');
}

export default function AuditLogPage() {
  const [action, setAction] = useState('');
  const [targetType, setTargetType] = useState('');
  const [since, setSince] = useState('');
  const query = { action: action.trim() || undefined, targetType: targetType || undefined, since: since ? new Date(since).toISOString() : undefined };
  const entries = useInfiniteQuery({
    queryKey: ['audit-log', query],
    queryFn: ({ pageParam }) => api<Page<AuditEntry>>('/audit-log', { query: { ...query, limit: 100, cursor: pageParam ?? undefined } }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const items = entries.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="page audit-page">
      <h1>Audit log</h1>
      <div className="card inline-form" data-testid="audit-filters">
        <input name="auditAction" placeholder="Action, e.g. template.* or user.updated" value={action} onChange={(e) => setAction(e.target.value)} />
        <select name="auditTarget" aria-label="Target type" value={targetType} onChange={(e) => setTargetType(e.target.value)}>
          {TARGET_TYPES.map((type) => (
            <option key={type} value={type}>
              {type || 'Any target'}
            </option>
          ))}
        </select>
        <label>
          Since <input type="datetime-local" name="auditSince" value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
        <a className="secondary button" href={`/api/v1${withQuery('/audit-log', { ...query, format: 'csv' })}`} download data-testid="audit-csv">
          Download CSV
        </a>
      </div>
      {entries.error && (
        <div className="notice error" role="alert">
          {errorText(entries.error)}
        </div>
      )}
      <div className="table-wrap">
        <table className="table" data-testid="audit-table">
          <thead>
            <tr>
              <th>Time</th>
              <th>Who</th>
              <th>From</th>
              <th>Action</th>
              <th>Target</th>
              <th>Changes</th>
            </tr>
          </thead>
          <tbody>
            {items.map((entry) => (
              <tr key={entry.id} data-testid="audit-row" data-action={entry.action}>
                <td>{fullTime(entry.createdAt)}</td>
                <td>{entry.actor.name ?? `${entry.actor.type} ${entry.actor.id ?? ''}`}</td>
                <td>{entry.sourceIp}</td>
                <td>{entry.action}</td>
                <td>
                  {entry.target.type} {entry.target.label ?? entry.target.id}
                </td>
                <td className="changes">
                  <code>{describeChanges(entry.changes)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {items.length === 0 && !entries.isLoading && <p className="muted">Nothing recorded for these filters.</p>}
      {entries.hasNextPage && (
        <button className="secondary" onClick={() => void entries.fetchNextPage()} disabled={entries.isFetchingNextPage}>
          Load more
        </button>
      )}
    </div>
  );
}
