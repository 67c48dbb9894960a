/** Admin → API keys: create and revoke keys with scopes. */
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import { fullTime } from '../../lib/format';
import type { ApiKey, Page } from '../../lib/types';
import { Copy, ErrorNote, Section } from './shared';
import { useFieldErrors } from '../../components/FieldErrors';

const SCOPES = ['*', 'messages:read', 'messages:send', 'inbox:write', 'contacts:write', 'admin'];

export function ApiKeysTab() {
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
  const errors = useFieldErrors(create.error, create.reset, ['name', 'scopes']);
  const revoke = useMutation({ mutationFn: (id: string) => api(`/api-keys/${id}`, { method: 'DELETE' }), onSuccess: () => client.invalidateQueries({ queryKey: ['api-keys'] }) });
  return (
    <Section title="API keys">
      <form
        className="inline-form"
        onChange={errors.onChange}
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <input name="keyName" placeholder="Key name (e.g. CRM)" required value={name} onChange={(e) => setName(e.target.value)} {...errors.input('name')} />
        {errors.note('name')}
        {SCOPES.map((scope) => (
          <label key={scope} className="check">
            <input type="checkbox" {...errors.input('scopes')} checked={scopes.includes(scope)} onChange={(e) => setScopes(e.target.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))} />
            {scope === '*' ? 'all' : scope}
          </label>
        ))}
        {errors.note('scopes')}
        <button className="primary" type="submit" disabled={create.isPending || scopes.length === 0}>
          Create key
        </button>
      </form>
      {errors.rest}
      <ErrorNote error={revoke.error} />
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
