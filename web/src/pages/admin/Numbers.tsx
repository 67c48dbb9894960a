/** Admin → Numbers: phone numbers, their provider account, routing to users and groups. */
import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import { useFieldErrors } from '../../components/FieldErrors';
import { formatPhone } from '../../lib/format';
import type { PhoneNumber, ProviderAccount } from '../../lib/types';
import { useNumbers, useUsers } from '../Inbox';
import { useAccounts, useGroups, ErrorNote, Section, list } from './shared';

export function NumbersTab() {
  const numbers = useNumbers();
  const accounts = useAccounts();
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <Section
      title="Numbers"
      action={
        <button className="primary" onClick={() => setEditing(editing === 'new' ? null : 'new')} data-testid="add-number">
          {editing === 'new' ? 'Cancel' : '+ Add number'}
        </button>
      }
    >
      {editing === 'new' && <NumberForm accounts={accounts.data ?? []} onDone={() => setEditing(null)} />}
      <ErrorNote error={numbers.error} />
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th>Number</th>
              <th>Provider</th>
              <th>Destinations</th>
              <th>Country</th>
              <th>MPS</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(numbers.data ?? []).map((n) => (
              <NumberRow key={n.id} number={n} accounts={accounts.data ?? []} editing={editing === n.id} onEdit={() => setEditing(editing === n.id ? null : n.id)} onDone={() => setEditing(null)} />
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

function NumberRow({ number, accounts, editing, onEdit, onDone }: { number: PhoneNumber; accounts: ProviderAccount[]; editing: boolean; onEdit(): void; onDone(): void }) {
  const users = useUsers();
  const client = useQueryClient();
  const remove = useMutation({ mutationFn: () => api(`/numbers/${number.id}`, { method: 'DELETE' }), onSuccess: () => client.invalidateQueries({ queryKey: ['numbers'] }) });
  const d = number.destinations;
  const userNames = (d.userIds ?? []).map((id) => users.data?.find((u) => u.id === id)?.name ?? id);
  const groups = useGroups();
  const groupNames = (d.groupIds ?? []).map((id) => `group ${groups.data?.find((g) => g.id === id)?.name ?? id}`);
  return (
    <>
      <tr data-testid="number-row">
        <td className="nowrap">
          {formatPhone(number.number)}
          {number.systemNotification && <span className="pill">system</span>}
        </td>
        <td>{accounts.find((a) => a.id === number.providerAccountId)?.name ?? number.providerAccountId}</td>
        <td>{[...userNames, ...groupNames, ...(d.extensions ?? []).map((x) => `ext ${x}`), ...(d.emails ?? [])].join(', ') || <span className="muted">nobody</span>}</td>
        <td>{number.defaultCountry ?? '—'}</td>
        <td>{number.mps ?? 'default'}</td>
        <td className="nowrap">
          <button className="link-button" onClick={onEdit}>
            {editing ? 'Close' : 'Edit'}
          </button>
          <button className="link-button danger-text" onClick={() => confirm(`Delete ${number.number}?`) && remove.mutate()}>
            Delete
          </button>
        </td>
      </tr>
      {editing && (
        <tr>
          <td colSpan={6}>
            <NumberForm accounts={accounts} number={number} onDone={onDone} />
          </td>
        </tr>
      )}
    </>
  );
}

const NUMBER_FIELDS = ['number', 'providerAccountId', 'destinations.userIds', 'destinations.groupIds', 'destinations.extensions', 'destinations.emails', 'defaultCountry', 'mps'];

function NumberForm({ accounts, number, onDone }: { accounts: ProviderAccount[]; number?: PhoneNumber; onDone(): void }) {
  const client = useQueryClient();
  const users = useUsers();
  const groups = useGroups();
  const [form, setForm] = useState({
    number: number?.number ?? '',
    providerAccountId: number?.providerAccountId ?? accounts[0]?.id ?? '',
    userIds: number?.destinations.userIds ?? [],
    groupIds: number?.destinations.groupIds ?? [],
    extensions: (number?.destinations.extensions ?? []).join(', '),
    emails: (number?.destinations.emails ?? []).join(', '),
    systemNotification: number?.systemNotification ?? false,
    defaultCountry: number?.defaultCountry ?? '',
    mps: number?.mps === null || number?.mps === undefined ? '' : String(number.mps),
  });
  const save = useMutation({
    mutationFn: () => {
      const body = {
        providerAccountId: form.providerAccountId,
        destinations: { userIds: form.userIds, extensions: list(form.extensions), emails: list(form.emails), ...(groups.data ? { groupIds: form.groupIds } : {}) },
        systemNotification: form.systemNotification,
        defaultCountry: form.defaultCountry.trim() ? form.defaultCountry.trim().toUpperCase() : null,
        mps: form.mps.trim() ? Number(form.mps) : null,
      };
      return number ? api(`/numbers/${number.id}`, { method: 'PATCH', body }) : api('/numbers', { method: 'POST', body: { number: form.number, ...body } });
    },
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['numbers'] });
      onDone();
    },
  });
  const errors = useFieldErrors(save.error, save.reset, NUMBER_FIELDS);
  const edit = (changes: Partial<typeof form>) => setForm({ ...form, ...changes });
  return (
    <form
      className="form-grid inset"
      data-testid="number-form"
      onChange={errors.onChange}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      {!number && (
        <label>
          Number (E.164, a local number with a default country, or a sender ID)
          <input name="number" required value={form.number} onChange={(e) => edit({ number: e.target.value })} placeholder="+15551230000" {...errors.input('number')} />
          {errors.note('number')}
        </label>
      )}
      <label>
        Provider account
        <select name="providerAccountId" required value={form.providerAccountId} onChange={(e) => edit({ providerAccountId: e.target.value })} {...errors.input('providerAccountId')}>
          {accounts.length === 0 && <option value="">Add a provider account first</option>}
          {accounts.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name} ({a.type})
            </option>
          ))}
        </select>
        {errors.note('providerAccountId')}
      </label>
      <fieldset {...errors.input('destinations.userIds')}>
        <legend>Route to users</legend>
        {(users.data ?? []).map((u) => (
          <label key={u.id} className="check">
            <input
              type="checkbox"
              checked={form.userIds.includes(u.id)}
              onChange={(e) => edit({ userIds: e.target.checked ? [...form.userIds, u.id] : form.userIds.filter((id) => id !== u.id) })}
            />
            {u.name} {u.extension ? `(ext ${u.extension})` : ''}
          </label>
        ))}
        {errors.note('destinations.userIds')}
      </fieldset>
      {groups.data && groups.data.length > 0 && (
        <fieldset {...errors.input('destinations.groupIds')}>
          <legend>Route to groups</legend>
          {groups.data.map((g) => (
            <label key={g.id} className="check">
              <input
                type="checkbox"
                checked={form.groupIds.includes(g.id)}
                onChange={(e) => edit({ groupIds: e.target.checked ? [...form.groupIds, g.id] : form.groupIds.filter((id) => id !== g.id) })}
              />
              {g.name}
            </label>
          ))}
          {errors.note('destinations.groupIds')}
        </fieldset>
      )}
      <label>
        Extensions
        <input name="extensions" value={form.extensions} onChange={(e) => edit({ extensions: e.target.value })} placeholder="1001, 1002" {...errors.input('destinations.extensions')} />
        {errors.note('destinations.extensions')}
      </label>
      <label>
        Email copies to
        <input name="emails" value={form.emails} onChange={(e) => edit({ emails: e.target.value })} placeholder="sales@example.com" {...errors.input('destinations.emails')} />
        {errors.note('destinations.emails')}
      </label>
      <label>
        Default country
        <input name="defaultCountry" maxLength={2} value={form.defaultCountry} onChange={(e) => edit({ defaultCountry: e.target.value })} placeholder="US" {...errors.input('defaultCountry')} />
        {errors.note('defaultCountry')}
      </label>
      <label>
        Messages per second
        <input name="mps" type="number" min={0} step="0.1" value={form.mps} onChange={(e) => edit({ mps: e.target.value })} placeholder="provider default" {...errors.input('mps')} />
        {errors.note('mps')}
      </label>
      <label className="check">
        <input type="checkbox" checked={form.systemNotification} onChange={(e) => edit({ systemNotification: e.target.checked })} /> System notification number (voicemail alerts, not routed to an inbox)
      </label>
      {errors.rest}
      <div className="button-row">
        <button className="primary" type="submit" disabled={save.isPending} data-testid="save-number">
          {number ? 'Save' : 'Add number'}
        </button>
        <button className="secondary" type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
