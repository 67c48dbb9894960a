/** Admin → Webhook log: received provider webhooks for diagnostics. */
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../lib/api';
import { fullTime } from '../../lib/format';
import type { Page, WebhookLogEntry } from '../../lib/types';
import { useAccounts, Copy, ErrorNote, Section } from './shared';

export function WebhooksTab() {
  const accounts = useAccounts();
  const [accountId, setAccountId] = useState('');
  const [verdict, setVerdict] = useState('');
  const log = useQuery({
    queryKey: ['webhook-log', accountId, verdict],
    queryFn: () => api<Page<WebhookLogEntry>>('/webhook-log', { query: { providerAccountId: accountId || undefined, verdict: verdict || undefined, limit: 100 } }),
    refetchInterval: 5000,
  });
  const account = accounts.data?.find((a) => a.id === accountId);
  return (
    <Section title="Webhook diagnostics">
      <p className="muted">Every webhook request your carriers sent, with its verdict. Wrong URLs, TLS and firewalls are what usually break first: compare the URL here with the one the carrier has.</p>
      <div className="inline-form">
        <select aria-label="Provider account" value={accountId} onChange={(e) => setAccountId(e.target.value)}>
          <option value="">All accounts</option>
          {(accounts.data ?? []).map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
        <select aria-label="Verdict" value={verdict} onChange={(e) => setVerdict(e.target.value)}>
          <option value="">Any verdict</option>
          <option value="accepted">Accepted</option>
          <option value="duplicate">Duplicate</option>
          <option value="refused">Refused</option>
        </select>
      </div>
      {account && (
        <p>
          Give {account.name} this URL: <Copy text={account.webhookUrls.inbound} />
        </p>
      )}
      <ErrorNote error={log.error} />
      <div className="table-wrap">
        <table className="table" data-testid="webhook-log">
          <thead>
            <tr>
              <th>Time</th>
              <th>Provider</th>
              <th>Request</th>
              <th>Verdict</th>
              <th>HTTP</th>
              <th>From IP</th>
            </tr>
          </thead>
          <tbody>
            {(log.data?.items ?? []).map((row) => (
              <tr key={row.id}>
                <td className="nowrap">{fullTime(row.createdAt)}</td>
                <td>{row.providerType}</td>
                <td className="break">
                  {row.method} {row.url}
                </td>
                <td>
                  <span className={`pill verdict-${row.verdict}`}>{row.verdict}</span>
                  {row.reason && <div className="small muted">{row.reason}</div>}
                </td>
                <td>{row.httpStatus}</td>
                <td>{row.remoteIp ?? '—'}</td>
              </tr>
            ))}
            {log.data?.items.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  No webhook requests yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </Section>
  );
}
