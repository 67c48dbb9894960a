/** Admin (owners and admins): provider accounts, numbers, users, API keys and webhook diagnostics. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, errorText, isMissingApi } from '../lib/api';
import { formatPhone, fullTime, guessCountry, toE164 } from '../lib/format';
import type { ApiKey, Page, PhoneNumber, ProviderAccount, ProviderType, User, WebhookLogEntry } from '../lib/types';
import { useNumbers, useUsers } from './Inbox';

export default function AdminPage() {
  const tabs = [
    ['providers', 'Provider accounts'],
    ['numbers', 'Numbers'],
    ['users', 'Users'],
    ['groups', 'Groups'],
    ['api-keys', 'API keys'],
    ['webhooks', 'Webhook log'],
  ];
  return (
    <div className="page admin-page">
      <h1>Admin</h1>
      <nav className="tabs">
        {tabs.map(([path, label]) => (
          <NavLink key={path} to={`/admin/${path}`} className={({ isActive }) => `tab${isActive ? ' active' : ''}`}>
            {label}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<Navigate to="providers" replace />} />
        <Route path="providers" element={<ProvidersTab />} />
        <Route path="numbers" element={<NumbersTab />} />
        <Route path="users" element={<UsersTab />} />
        <Route path="groups" element={<GroupsTab />} />
        <Route path="api-keys" element={<ApiKeysTab />} />
        <Route path="webhooks" element={<WebhooksTab />} />
      </Routes>
    </div>
  );
}

const useAccounts = () => useQuery({ queryKey: ['provider-accounts'], queryFn: () => api<Page<ProviderAccount>>('/provider-accounts'), select: (d) => d.items });
interface Group {
  id: string;
  name: string;
  userIds: string[];
}
/** Groups (F15) may be missing on a server: then the pickers hide and the tab says so. */
const useGroups = () =>
  useQuery({
    queryKey: ['groups'],
    queryFn: async () => {
      try {
        return (await api<Page<Group>>('/groups')).items;
      } catch (error) {
        if (isMissingApi(error)) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
const useTypes = () => useQuery({ queryKey: ['provider-types'], queryFn: () => api<Page<ProviderType>>('/provider-types'), staleTime: 3600_000, select: (d) => d.items });

function Copy({ text }: { text: string }) {
  const [done, setDone] = useState(false);
  return (
    <span className="copy">
      <code>{text}</code>
      <button
        type="button"
        className="link-button"
        onClick={() => {
          void navigator.clipboard?.writeText(text).then(() => {
            setDone(true);
            setTimeout(() => setDone(false), 1500);
          });
        }}
      >
        {done ? 'Copied' : 'Copy'}
      </button>
    </span>
  );
}

function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <div className="notice error" role="alert">
      {errorText(error)}
    </div>
  );
}

function Section({ title, action, children }: { title: string; action?: ReactNode; children: ReactNode }) {
  return (
    <section className="card">
      <div className="section-head">
        <h2>{title}</h2>
        {action}
      </div>
      {children}
    </section>
  );
}

/* ---------------- Provider accounts ---------------- */

function ProvidersTab() {
  const accounts = useAccounts();
  const types = useTypes();
  const [creating, setCreating] = useState(false);
  return (
    <>
      <Section
        title="Provider accounts"
        action={
          <button className="primary" onClick={() => setCreating(!creating)} data-testid="add-provider">
            {creating ? 'Cancel' : '+ Add account'}
          </button>
        }
      >
        {creating && types.data && <AccountForm types={types.data} onDone={() => setCreating(false)} />}
        <ErrorNote error={accounts.error} />
        <div className="stack">
          {(accounts.data ?? []).map((account) => (
            <AccountCard key={account.id} account={account} type={types.data?.find((t) => t.type === account.type)} />
          ))}
          {accounts.data?.length === 0 && !creating && <p className="muted">No provider accounts yet. Add a Sandbox account to try Switchboard without a carrier.</p>}
        </div>
      </Section>
    </>
  );
}

function AccountForm({ types, account, onDone }: { types: ProviderType[]; account?: ProviderAccount; onDone(): void }) {
  const client = useQueryClient();
  const [type, setType] = useState(account?.type ?? types.find((t) => t.type === 'sandbox')?.type ?? types[0]?.type ?? '');
  const [name, setName] = useState(account?.name ?? '');
  const [baseUrl, setBaseUrl] = useState(account?.baseUrl ?? '');
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const manifest = types.find((t) => t.type === type);
  const save = useMutation({
    mutationFn: () => {
      const filled = Object.fromEntries(Object.entries(credentials).filter(([, v]) => v !== ''));
      if (account) {
        return api(`/provider-accounts/${account.id}`, { method: 'PATCH', body: { name, baseUrl: baseUrl || null, ...(Object.keys(filled).length ? { credentials: filled } : {}) } });
      }
      return api('/provider-accounts', { method: 'POST', body: { type, name: name || manifest?.displayName || type, credentials: filled, baseUrl: baseUrl || undefined } });
    },
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['provider-accounts'] });
      onDone();
    },
  });
  return (
    <form
      className="form-grid inset"
      data-testid="account-form"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <label>
        Type
        <select name="type" value={type} disabled={Boolean(account)} onChange={(e) => setType(e.target.value)}>
          {types.map((t) => (
            <option key={t.type} value={t.type}>
              {t.displayName}
            </option>
          ))}
        </select>
      </label>
      <label>
        Name
        <input name="name" value={name} placeholder={manifest?.displayName} onChange={(e) => setName(e.target.value)} required={Boolean(account)} />
      </label>
      {manifest?.credentials.map((field) => (
        <label key={field.key}>
          {field.label}
          {field.required ? ' *' : ''}
          <input
            name={`cred-${field.key}`}
            type={field.secret ? 'password' : 'text'}
            autoComplete="off"
            required={field.required && !account}
            placeholder={account?.credentialKeys.includes(field.key) ? '(unchanged)' : field.env}
            value={credentials[field.key] ?? ''}
            onChange={(e) => setCredentials({ ...credentials, [field.key]: e.target.value })}
          />
        </label>
      ))}
      <label>
        API base URL (optional override)
        <input name="baseUrl" value={baseUrl} placeholder={manifest?.defaultBaseUrl} onChange={(e) => setBaseUrl(e.target.value)} />
      </label>
      {manifest?.docsUrl && (
        <p className="muted small">
          Docs:{' '}
          <a href={manifest.docsUrl} target="_blank" rel="noopener noreferrer">
            {manifest.docsUrl}
          </a>
        </p>
      )}
      <ErrorNote error={save.error} />
      <div className="button-row">
        <button className="primary" type="submit" disabled={save.isPending} data-testid="save-account">
          {account ? 'Save' : 'Create account'}
        </button>
        <button className="secondary" type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function AccountCard({ account, type }: { account: ProviderAccount; type?: ProviderType }) {
  const client = useQueryClient();
  const types = useTypes();
  const [editing, setEditing] = useState(false);
  const [to, setTo] = useState('');
  const test = useMutation({ mutationFn: () => api<unknown>(`/provider-accounts/${account.id}/test`, { method: 'POST', body: { to } }) });
  const remove = useMutation({
    mutationFn: () => api(`/provider-accounts/${account.id}`, { method: 'DELETE' }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['provider-accounts'] }),
  });
  return (
    <div className="item-card" data-testid="account-card">
      <div className="item-head">
        <strong>{account.name}</strong> <span className="pill">{type?.displayName ?? account.type}</span>
        {account.source === 'env' && <span className="pill">from environment</span>}
        <span className="spacer" />
        {account.source !== 'env' && (
          <>
            <button className="link-button" onClick={() => setEditing(!editing)}>
              {editing ? 'Close' : 'Edit'}
            </button>
            <button className="link-button danger-text" onClick={() => confirm(`Delete ${account.name}?`) && remove.mutate()}>
              Delete
            </button>
          </>
        )}
      </div>
      {editing && types.data && <AccountForm types={types.data} account={account} onDone={() => setEditing(false)} />}
      <dl className="kv">
        <dt>Inbound webhook</dt>
        <dd>
          <Copy text={account.webhookUrls.inbound} />
        </dd>
        {account.webhookUrls.status !== account.webhookUrls.inbound && (
          <>
            <dt>Status callback</dt>
            <dd>
              <Copy text={account.webhookUrls.status} />
            </dd>
          </>
        )}
        <dt>Credentials set</dt>
        <dd>{account.credentialKeys.join(', ') || '—'}</dd>
        {account.baseUrl && (
          <>
            <dt>Base URL</dt>
            <dd>{account.baseUrl}</dd>
          </>
        )}
      </dl>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          test.mutate();
        }}
      >
        <input name="testTo" placeholder="Test: send to +1…" value={to} onChange={(e) => setTo(e.target.value)} required />
        <button className="secondary" type="submit" disabled={test.isPending} data-testid="test-account">
          {test.isPending ? 'Sending…' : 'Test'}
        </button>
      </form>
      <ErrorNote error={test.error ?? remove.error} />
      {test.data !== undefined && (
        <pre className="provider-answer" data-testid="test-result">
          {JSON.stringify(test.data, null, 2)}
        </pre>
      )}
    </div>
  );
}

/* ---------------- Numbers ---------------- */

const list = (text: string) =>
  text
    .split(/[,;\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);

function NumbersTab() {
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
  return (
    <form
      className="form-grid inset"
      data-testid="number-form"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      {!number && (
        <label>
          Number (E.164, a local number with a default country, or a sender ID)
          <input name="number" required value={form.number} onChange={(e) => setForm({ ...form, number: e.target.value })} placeholder="+15551230000" />
        </label>
      )}
      <label>
        Provider account
        <select name="providerAccountId" required value={form.providerAccountId} onChange={(e) => setForm({ ...form, providerAccountId: e.target.value })}>
          {accounts.length === 0 && <option value="">Add a provider account first</option>}
          {accounts.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name} ({a.type})
            </option>
          ))}
        </select>
      </label>
      <fieldset>
        <legend>Route to users</legend>
        {(users.data ?? []).map((u) => (
          <label key={u.id} className="check">
            <input
              type="checkbox"
              checked={form.userIds.includes(u.id)}
              onChange={(e) => setForm({ ...form, userIds: e.target.checked ? [...form.userIds, u.id] : form.userIds.filter((id) => id !== u.id) })}
            />
            {u.name} {u.extension ? `(ext ${u.extension})` : ''}
          </label>
        ))}
      </fieldset>
      {groups.data && groups.data.length > 0 && (
        <fieldset>
          <legend>Route to groups</legend>
          {groups.data.map((g) => (
            <label key={g.id} className="check">
              <input
                type="checkbox"
                checked={form.groupIds.includes(g.id)}
                onChange={(e) => setForm({ ...form, groupIds: e.target.checked ? [...form.groupIds, g.id] : form.groupIds.filter((id) => id !== g.id) })}
              />
              {g.name}
            </label>
          ))}
        </fieldset>
      )}
      <label>
        Extensions
        <input name="extensions" value={form.extensions} onChange={(e) => setForm({ ...form, extensions: e.target.value })} placeholder="1001, 1002" />
      </label>
      <label>
        Email copies to
        <input name="emails" value={form.emails} onChange={(e) => setForm({ ...form, emails: e.target.value })} placeholder="sales@example.com" />
      </label>
      <label>
        Default country
        <input name="defaultCountry" maxLength={2} value={form.defaultCountry} onChange={(e) => setForm({ ...form, defaultCountry: e.target.value })} placeholder="US" />
      </label>
      <label>
        Messages per second
        <input name="mps" type="number" min={0} step="0.1" value={form.mps} onChange={(e) => setForm({ ...form, mps: e.target.value })} placeholder="provider default" />
      </label>
      <label className="check">
        <input type="checkbox" checked={form.systemNotification} onChange={(e) => setForm({ ...form, systemNotification: e.target.checked })} /> System notification number (voicemail alerts, not routed to an inbox)
      </label>
      <ErrorNote error={save.error} />
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

/* ---------------- Users ---------------- */

function UsersTab() {
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
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  return (
    <form
      className="form-grid inset"
      data-testid="user-form"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <label>
        Name
        <input name="name" required value={form.name} onChange={set('name')} />
      </label>
      <label>
        Email
        <input name="email" type="email" required value={form.email} onChange={set('email')} />
      </label>
      <label>
        Role
        <select name="role" value={form.role} onChange={set('role')}>
          <option value="agent">Agent</option>
          <option value="admin">Admin</option>
          <option value="owner">Owner</option>
        </select>
      </label>
      <label>
        {user ? 'New password (leave empty to keep)' : 'Password'}
        <input name="password" type="password" autoComplete="new-password" minLength={8} required={!user} value={form.password} onChange={set('password')} />
      </label>
      <label>
        Extension
        <input name="extension" value={form.extension} onChange={set('extension')} placeholder="1001" />
      </label>
      <label>
        Mobile (for notifications)
        <input name="mobile" value={form.mobile} onChange={set('mobile')} placeholder="+15551234567" />
      </label>
      <label>
        Send permission
        <select name="sendPermission" value={form.sendPermission} onChange={set('sendPermission')}>
          <option value="none">None (read only)</option>
          <option value="number">From assigned numbers</option>
          <option value="sender_id">Numbers and the sender ID</option>
        </select>
      </label>
      <fieldset>
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
      </fieldset>
      {form.callerIds.length > 1 && (
        <label>
          Default caller ID
          <select name="defaultCallerId" value={form.defaultCallerId} onChange={set('defaultCallerId')}>
            <option value="">First in the list</option>
            {form.callerIds.map((n) => (
              <option key={n} value={n}>
                {formatPhone(n)}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="check">
        <input type="checkbox" checked={form.emailCopies} onChange={(e) => setForm({ ...form, emailCopies: e.target.checked })} /> Email copies of inbound messages on conversations assigned to this user
      </label>
      <ErrorNote error={save.error} />
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

/* ---------------- Groups ---------------- */

function GroupsTab() {
  const client = useQueryClient();
  const groups = useGroups();
  const users = useUsers();
  const [name, setName] = useState('');
  const [members, setMembers] = useState<string[]>([]);
  const invalidate = () => Promise.all([client.invalidateQueries({ queryKey: ['groups'] }), client.invalidateQueries({ queryKey: ['users'] })]);
  const create = useMutation({
    mutationFn: () => api('/groups', { method: 'POST', body: { name, userIds: members } }),
    onSuccess: async () => {
      setName('');
      setMembers([]);
      await invalidate();
    },
  });
  const update = useMutation({ mutationFn: (g: Group) => api(`/groups/${g.id}`, { method: 'PATCH', body: { userIds: g.userIds } }), onSuccess: invalidate });
  const remove = useMutation({ mutationFn: (id: string) => api(`/groups/${id}`, { method: 'DELETE' }), onSuccess: invalidate });
  if (groups.data === null) return <div className="notice">Groups are not available on this server.</div>;
  const toggle = (list: string[], id: string, on: boolean) => (on ? [...list, id] : list.filter((x) => x !== id));
  return (
    <Section title="Groups">
      <p className="muted">Route a number to a group and everyone in it sees its conversations.</p>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <input name="groupName" placeholder="Group name (e.g. Support)" required value={name} onChange={(e) => setName(e.target.value)} />
        {(users.data ?? []).map((u) => (
          <label key={u.id} className="check">
            <input type="checkbox" checked={members.includes(u.id)} onChange={(e) => setMembers(toggle(members, u.id, e.target.checked))} />
            {u.name}
          </label>
        ))}
        <button className="primary" type="submit" disabled={create.isPending}>
          Create group
        </button>
      </form>
      <ErrorNote error={groups.error ?? create.error ?? update.error ?? remove.error} />
      <div className="stack">
        {(groups.data ?? []).map((g) => (
          <div key={g.id} className="item-card">
            <div className="item-head">
              <strong>{g.name}</strong>
              <span className="spacer" />
              <button className="link-button danger-text" onClick={() => confirm(`Delete ${g.name}?`) && remove.mutate(g.id)}>
                Delete
              </button>
            </div>
            <div className="inline-form">
              {(users.data ?? []).map((u) => (
                <label key={u.id} className="check">
                  <input type="checkbox" checked={g.userIds.includes(u.id)} onChange={(e) => update.mutate({ ...g, userIds: toggle(g.userIds, u.id, e.target.checked) })} />
                  {u.name}
                </label>
              ))}
            </div>
          </div>
        ))}
      </div>
    </Section>
  );
}

/* ---------------- API keys ---------------- */

const SCOPES = ['*', 'messages:send', 'messages:read', 'admin'];

function ApiKeysTab() {
  const client = useQueryClient();
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: () => api<Page<ApiKey>>('/api-keys'), select: (d) => d.items });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['*']);
  const [created, setCreated] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => api<{ key: string }>('/api-keys', { method: 'POST', body: { name, scopes } }),
    onSuccess: async (result) => {
      setCreated(result.key);
      setName('');
      await client.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const revoke = useMutation({ mutationFn: (id: string) => api(`/api-keys/${id}`, { method: 'DELETE' }), onSuccess: () => client.invalidateQueries({ queryKey: ['api-keys'] }) });
  return (
    <Section title="API keys">
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <input name="keyName" placeholder="Key name (e.g. CRM)" required value={name} onChange={(e) => setName(e.target.value)} />
        {SCOPES.map((scope) => (
          <label key={scope} className="check">
            <input type="checkbox" checked={scopes.includes(scope)} onChange={(e) => setScopes(e.target.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))} />
            {scope === '*' ? 'all' : scope}
          </label>
        ))}
        <button className="primary" type="submit" disabled={create.isPending || scopes.length === 0}>
          Create key
        </button>
      </form>
      <ErrorNote error={create.error ?? revoke.error} />
      {created && (
        <div className="notice success" data-testid="new-api-key">
          Copy this key now; it is not shown again: <Copy text={created} />
        </div>
      )}
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Key</th>
              <th>Scopes</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(keys.data ?? []).map((key) => (
              <tr key={key.id}>
                <td>{key.name}</td>
                <td>
                  <code>{key.prefix}…</code>
                </td>
                <td>{key.scopes.join(', ')}</td>
                <td>{fullTime(key.createdAt)}</td>
                <td>
                  <button className="link-button danger-text" onClick={() => confirm(`Revoke ${key.name}?`) && revoke.mutate(key.id)}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

/* ---------------- Webhook diagnostics ---------------- */

function WebhooksTab() {
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
