/** Admin → Provider accounts: carrier accounts, their credentials, webhook URLs and the Test button. */
import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import type { ProviderAccount, ProviderType } from '../../lib/types';
import { useAccounts, useTypes, Copy, ErrorNote, Section } from './shared';
import { HttpConfigFields, TryIt } from '../../components/HttpProviderForm';
import { SessionState } from '../../components/SessionState';
import { useFieldErrors } from '../../components/FieldErrors';
import { AccountTest } from './AccountTest';

/** Shown for types whose manifest says `statusCallbacks: false` (Skyetel, VoIP.ms). */
const NO_RECEIPTS = 'This carrier gives no delivery receipts: a message it accepts stays at "sent" and never shows as delivered.';

export function ProvidersTab() {
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
  const credentialFields = (manifest?.credentials ?? []).map((field) => `credentials.${field.key}`);
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
  const errors = useFieldErrors(save.error, save.reset, ['type', 'name', 'baseUrl', 'credentials', ...credentialFields]);
  return (
    <form
      className="form-grid inset"
      data-testid="account-form"
      onChange={errors.onChange}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <label>
        Type
        <select name="type" value={type} disabled={Boolean(account)} onChange={(e) => setType(e.target.value)} {...errors.input('type')}>
          {types.map((t) => (
            <option key={t.type} value={t.type}>
              {t.displayName}
            </option>
          ))}
        </select>
        {manifest?.logoText && <span className="pill" data-testid="type-logo">{manifest.logoText}</span>}
        {errors.note('type')}
      </label>
      <label>
        Name
        <input name="name" value={name} placeholder={manifest?.displayName} onChange={(e) => setName(e.target.value)} required={Boolean(account)} {...errors.input('name')} />
        {errors.note('name')}
      </label>
      {type === 'http' && (
        <div {...errors.input('credentials')}>
          <HttpConfigFields credentials={credentials} onChange={setCredentials} accountId={account?.id} />
          {errors.note('credentials')}
        </div>
      )}
      {type !== 'http' && manifest?.credentials.map((field) => (
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
            {...errors.input(`credentials.${field.key}`)}
          />
          {errors.note(`credentials.${field.key}`)}
        </label>
      ))}
      <label>
        API base URL (optional override)
        <input name="baseUrl" value={baseUrl} placeholder={manifest?.defaultBaseUrl} onChange={(e) => setBaseUrl(e.target.value)} {...errors.input('baseUrl')} />
        {errors.note('baseUrl')}
      </label>
      {manifest?.docsUrl && (
        <p className="muted small">
          Docs:{' '}
          <a href={manifest.docsUrl} target="_blank" rel="noopener noreferrer">
            {manifest.docsUrl}
          </a>
        </p>
      )}
      {manifest?.capabilities.statusCallbacks === false && <p className="muted small" data-testid="type-no-receipts">{NO_RECEIPTS}</p>}
      {manifest?.tryIt && <TryIt type={type} credentials={credentials} baseUrl={baseUrl} accountId={account?.id} />}
      {type !== 'http' && errors.note('credentials')}
      {errors.rest}
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
        <SessionState account={account} />
        {!account.session && (
          <>
            <dt>Inbound webhook</dt>
            <dd>
              <Copy text={account.webhookUrls.inbound} />
            </dd>
          </>
        )}
        {!account.session && account.webhookUrls.status !== account.webhookUrls.inbound && (
          <>
            <dt>Status callback</dt>
            <dd>
              <Copy text={account.webhookUrls.status} />
            </dd>
          </>
        )}
        <dt>Credentials set</dt>
        <dd>{account.credentialKeys.join(', ') || '—'}</dd>
        {type?.capabilities.statusCallbacks === false && (
          <>
            <dt>Delivery receipts</dt>
            <dd data-testid="no-receipts">{NO_RECEIPTS}</dd>
          </>
        )}
        {account.baseUrl && (
          <>
            <dt>Base URL</dt>
            <dd>{account.baseUrl}</dd>
          </>
        )}
      </dl>
      <AccountTest account={account} />
      <ErrorNote error={remove.error} />
    </div>
  );
}
