/** Admin → Users: team members, roles, extensions and default caller IDs. */
import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, errorText } from '../../lib/api';
import { formatPhone, guessCountry, toE164 } from '../../lib/format';
import type { User } from '../../lib/types';
import { useNumbers, useUsers } from '../Inbox';
import { ErrorNote, Section } from './shared';
import { useFieldErrors } from '../../components/FieldErrors';

export function UsersTab() {
  const users = useUsers();
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <Section
      title="Users"
      action={
        <button className="primary" onClick={() => setEditing(editing === 'new' ? null : 'new')} data-testid="add-user">
          {editing === 'new' ? 'Cancel' : '+ Add user'}
        </button>
      }
    >
      {editing === 'new' && <UserForm onDone={() => setEditing(null)} />}
      <ErrorNote error={users.error} />
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Email</th>
              <th>Role</th>
              <th>Ext.</th>
              <th>Mobile</th>
              <th>May send</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(users.data ?? []).map((u) => (
              <UserRow key={u.id} user={u} editing={editing === u.id} onEdit={() => setEditing(editing === u.id ? null : u.id)} onDone={() => setEditing(null)} />
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

function UserRow({ user, editing, onEdit, onDone }: { user: User; editing: boolean; onEdit(): void; onDone(): void }) {
  const client = useQueryClient();
  const remove = useMutation({ mutationFn: () => api(`/users/${user.id}`, { method: 'DELETE' }), onSuccess: () => client.invalidateQueries({ queryKey: ['users'] }) });
  return (
    <>
      <tr data-testid="user-row">
        <td>{user.name}</td>
        <td>{user.email}</td>
        <td>{user.role}</td>
        <td>{user.extension ?? '—'}</td>
        <td>{user.mobile ? formatPhone(user.mobile) : '—'}</td>
        <td>
          {user.sendPermission}
          {user.callerIds.length > 0 ? `: ${user.callerIds.map(formatPhone).join(', ')}` : ''}
        </td>
        <td className="nowrap">
          <button className="link-button" onClick={onEdit}>
            {editing ? 'Close' : 'Edit'}
          </button>
          <button className="link-button danger-text" onClick={() => confirm(`Delete ${user.name}?`) && remove.mutate()}>
            Delete
          </button>
          {remove.error ? <span className="error-text small"> {errorText(remove.error)}</span> : null}
        </td>
      </tr>
      {editing && (
        <tr>
          <td colSpan={7}>
            <UserForm user={user} onDone={onDone} />
          </td>
        </tr>
      )}
    </>
  );
}

const USER_FIELDS = ['name', 'email', 'role', 'password', 'extension', 'mobile', 'sendPermission', 'callerIds', 'defaultCallerId', 'emailCopies'];

function UserForm({ user, onDone }: { user?: User; onDone(): void }) {
  const client = useQueryClient();
  const numbers = useNumbers();
  const [form, setForm] = useState({
    email: user?.email ?? '',
    name: user?.name ?? '',
    role: user?.role ?? 'agent',
    password: '',
    extension: user?.extension ?? '',
    mobile: user?.mobile ?? '',
    sendPermission: user?.sendPermission ?? 'number',
    callerIds: user?.callerIds ?? [],
    defaultCallerId: user?.defaultCallerId ?? '',
    emailCopies: user?.emailCopies ?? false,
  });
  const save = useMutation({
    mutationFn: () => {
      const body: Record<string, unknown> = {
        email: form.email,
        name: form.name,
        role: form.role,
        extension: form.extension.trim() || null,
        mobile: form.mobile.trim() ? (toE164(form.mobile, guessCountry()) ?? form.mobile.trim()) : null,
        sendPermission: form.sendPermission,
        callerIds: form.callerIds,
      };
      if (user?.defaultCallerId !== undefined || form.defaultCallerId) body.defaultCallerId = form.callerIds.includes(form.defaultCallerId) ? form.defaultCallerId : null;
      if (user?.emailCopies !== undefined || form.emailCopies) body.emailCopies = form.emailCopies;
      if (form.password) body.password = form.password;
      return user ? api(`/users/${user.id}`, { method: 'PATCH', body }) : api('/users', { method: 'POST', body });
    },
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['users'] });
      onDone();
    },
  });
  const errors = useFieldErrors(save.error, save.reset, USER_FIELDS);
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  return (
    <form
      className="form-grid inset"
      data-testid="user-form"
      onChange={errors.onChange}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <label>
        Name
        <input name="name" required value={form.name} onChange={set('name')} {...errors.input('name')} />
        {errors.note('name')}
      </label>
      <label>
        Email
        <input name="email" type="email" required value={form.email} onChange={set('email')} {...errors.input('email')} />
        {errors.note('email')}
      </label>
      <label>
        Role
        <select name="role" value={form.role} onChange={set('role')} {...errors.input('role')}>
          <option value="agent">Agent</option>
          <option value="admin">Admin</option>
          <option value="owner">Owner</option>
        </select>
        {errors.note('role')}
      </label>
      <label>
        {user ? 'New password (leave empty to keep)' : 'Password'}
        <input name="password" type="password" autoComplete="new-password" minLength={8} required={!user} value={form.password} onChange={set('password')} {...errors.input('password')} />
        {errors.note('password')}
      </label>
      <label>
        Extension
        <input name="extension" value={form.extension} onChange={set('extension')} placeholder="1001" {...errors.input('extension')} />
        {errors.note('extension')}
      </label>
      <label>
        Mobile (for notifications)
        <input name="mobile" value={form.mobile} onChange={set('mobile')} placeholder="+15551234567" {...errors.input('mobile')} />
        {errors.note('mobile')}
      </label>
      <label>
        Send permission
        <select name="sendPermission" value={form.sendPermission} onChange={set('sendPermission')} {...errors.input('sendPermission')}>
          <option value="none">None (read only)</option>
          <option value="number">From assigned numbers</option>
          <option value="sender_id">Numbers and the sender ID</option>
        </select>
        {errors.note('sendPermission')}
      </label>
      <fieldset {...errors.input('callerIds')}>
        <legend>Caller IDs (numbers this user may send from; the first is the default)</legend>
        {(numbers.data ?? []).map((n) => (
          <label key={n.id} className="check">
            <input
              type="checkbox"
              checked={form.callerIds.includes(n.number)}
              onChange={(e) => setForm({ ...form, callerIds: e.target.checked ? [...form.callerIds, n.number] : form.callerIds.filter((x) => x !== n.number) })}
            />
            {formatPhone(n.number)}
          </label>
        ))}
        {errors.note('callerIds')}
      </fieldset>
      {form.callerIds.length > 1 && (
        <label>
          Default caller ID
          <select name="defaultCallerId" value={form.defaultCallerId} onChange={set('defaultCallerId')} {...errors.input('defaultCallerId')}>
            <option value="">First in the list</option>
            {form.callerIds.map((n) => (
              <option key={n} value={n}>
                {formatPhone(n)}
              </option>
            ))}
          </select>
          {errors.note('defaultCallerId')}
        </label>
      )}
      <label className="check">
        <input type="checkbox" checked={form.emailCopies} onChange={(e) => setForm({ ...form, emailCopies: e.target.checked })} /> Email copies of inbound messages on conversations assigned to this user
      </label>
      {errors.rest}
      <div className="button-row">
        <button className="primary" type="submit" disabled={save.isPending} data-testid="save-user">
          {user ? 'Save' : 'Add user'}
        </button>
        <button className="secondary" type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
