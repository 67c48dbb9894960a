/** Conversation lifecycle in the inbox (issue 12): status tabs with counts, bulk actions on the list, resolve/reopen/snooze in a thread. */
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, errorText } from '../lib/api';
import { useAuth } from '../lib/auth';
import { fullTime } from '../lib/format';
import { useFieldErrors } from './FieldErrors';
import type { Conversation, ConversationStatus } from '../lib/types';

export type StatusView = ConversationStatus | 'any';

const VIEWS: Array<[StatusView, string]> = [
  ['open', 'Open'],
  ['pending', 'Pending'],
  ['snoozed', 'Snoozed'],
  ['resolved', 'Resolved'],
  ['any', 'All'],
];

export function StatusTabs({ value, onChange }: { value: StatusView; onChange(view: StatusView): void }) {
  const counts = useQuery({ queryKey: ['conversations', 'counts'], queryFn: () => api<Record<ConversationStatus, number>>('/conversations/counts') });
  return (
    <div className="chips status-tabs" role="tablist" aria-label="Conversation status">
      {VIEWS.map(([view, label]) => (
        <button key={view} role="tab" aria-selected={value === view} className={`chip${value === view ? ' active' : ''}`} onClick={() => onChange(view)} data-testid={`status-tab-${view}`}>
          {label}
          {view !== 'any' && counts.data && <span className="count"> {counts.data[view]}</span>}
        </button>
      ))}
    </div>
  );
}

type BulkAction = 'resolve' | 'reopen' | 'read' | 'assign';

export function BulkBar({ ids, onDone }: { ids: string[]; onDone(): void }) {
  const client = useQueryClient();
  const { user } = useAuth();
  const run = useMutation({
    mutationFn: (action: BulkAction) => api('/conversations/bulk', { method: 'POST', body: { ids, action, ...(action === 'assign' ? { assignedUserId: user?.id ?? null } : {}) } }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['conversations'] });
      void client.invalidateQueries({ queryKey: ['conversation'] });
      onDone();
    },
  });
  if (ids.length === 0) return null;
  return (
    <div className="bulk-bar" role="toolbar" aria-label="Selected conversations" data-testid="bulk-bar">
      <span>{ids.length} selected</span>
      <button className="secondary small" onClick={() => run.mutate('resolve')} disabled={run.isPending} data-testid="bulk-resolve">
        Resolve
      </button>
      <button className="secondary small" onClick={() => run.mutate('read')} disabled={run.isPending} data-testid="bulk-read">
        Mark read
      </button>
      <button className="secondary small" onClick={() => run.mutate('assign')} disabled={run.isPending} data-testid="bulk-assign">
        Assign to me
      </button>
      <button className="link-button" onClick={onDone}>
        Clear
      </button>
      {run.error && <span className="field-error">{errorText(run.error)}</span>}
    </div>
  );
}

function snoozeChoices(now = new Date()): Array<{ label: string; at: Date }> {
  const tomorrow = new Date(now);
  tomorrow.setDate(now.getDate() + 1);
  tomorrow.setHours(9, 0, 0, 0);
  const nextWeek = new Date(tomorrow);
  nextWeek.setDate(tomorrow.getDate() + 6);
  return [
    { label: 'For 1 hour', at: new Date(now.getTime() + 3600_000) },
    { label: 'Until tomorrow 9am', at: tomorrow },
    { label: 'For a week', at: nextWeek },
  ];
}

/** "2026-12-07T09:30" for a datetime-local input, in the browser's time zone. */
function localInputValue(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** Why a custom snooze time is refused before it is sent, or null when it is fine. */
export function snoozeTimeProblem(value: string, now = new Date()): string | null {
  if (!value) return 'Pick the date and time the conversation should reopen.';
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) return 'That is not a date and time.';
  if (at.getTime() <= now.getTime()) return `Pick a time in the future: ${at.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })} has passed.`;
  return null;
}

const CUSTOM = 'custom';

export function ThreadStatusActions({ conversation, onChanged }: { conversation: Conversation; onChanged(): void }) {
  const [picking, setPicking] = useState(false);
  const [until, setUntil] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const set = useMutation({
    mutationFn: (body: { status: ConversationStatus; snoozedUntil?: string }) => api(`/conversations/${conversation.id}/status`, { method: 'POST', body }),
    onSuccess: () => {
      setPicking(false);
      onChanged();
    },
  });
  const errors = useFieldErrors(set.error, set.reset, ['snoozedUntil']);
  const status = conversation.status ?? 'open';
  const snoozeAt = (at: Date) => set.mutate({ status: 'snoozed', snoozedUntil: at.toISOString() });
  const custom = (
    <form
      className="popover card snooze-custom"
      data-testid="snooze-custom"
      noValidate
      onChange={errors.onChange}
      onSubmit={(e) => {
        e.preventDefault();
        const refused = snoozeTimeProblem(until);
        setProblem(refused);
        if (!refused) snoozeAt(new Date(until));
      }}
    >
      <label>
        Snooze until
        <input
          type="datetime-local"
          name="snoozeUntil"
          value={until}
          min={localInputValue(new Date())}
          autoFocus
          onChange={(e) => {
            setUntil(e.target.value);
            setProblem(null);
          }}
          {...errors.input('snoozedUntil')}
          {...(problem ? { 'aria-invalid': true, 'aria-describedby': `snooze-problem-${conversation.id}` } : {})}
        />
        {problem ? (
          <span className="field-error" id={`snooze-problem-${conversation.id}`} role="alert" data-testid="field-error">
            {problem}
          </span>
        ) : (
          errors.note('snoozedUntil')
        )}
      </label>
      {errors.rest}
      <div className="button-row">
        <button className="primary small" type="submit" disabled={set.isPending} data-testid="snooze-custom-save">
          Snooze
        </button>
        <button className="secondary small" type="button" onClick={() => setPicking(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
  return (
    <>
      {status !== 'open' && (
        <span className={`pill status-pill status-${status}`} data-testid="conversation-status">
          {status === 'snoozed' && conversation.snoozedUntil ? `Snoozed until ${fullTime(conversation.snoozedUntil)}` : status === 'resolved' ? 'Resolved' : 'Pending'}
        </span>
      )}
      {status === 'resolved' || status === 'snoozed' ? (
        <button className="secondary small" onClick={() => set.mutate({ status: 'open' })} disabled={set.isPending} data-testid="reopen">
          Reopen
        </button>
      ) : (
        <button className="primary small" onClick={() => set.mutate({ status: 'resolved' })} disabled={set.isPending} data-testid="resolve" title="Resolve (e)">
          Resolve
        </button>
      )}
      <span className="popover-anchor">
        <select
          aria-label="Snooze"
          value=""
          data-testid="snooze-select"
          onChange={(e) => {
            if (e.target.value === CUSTOM) {
              set.reset();
              setProblem(null);
              setUntil(until || localInputValue(new Date(Date.now() + 3 * 3600_000)));
              setPicking(true);
              return;
            }
            const choice = snoozeChoices()[Number(e.target.value)];
            if (choice) snoozeAt(choice.at);
          }}
        >
          <option value="">Snooze…</option>
          {snoozeChoices().map((choice, index) => (
            <option key={choice.label} value={index}>
              {choice.label}
            </option>
          ))}
          <option value={CUSTOM}>Pick a date and time…</option>
        </select>
        {picking && custom}
      </span>
      {!picking && set.error ? <span className="field-error">{errorText(set.error)}</span> : null}
    </>
  );
}
