/** Admin → Groups (F15): named sets of users that numbers can route to. */
import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import { useUsers } from '../Inbox';
import { type Group, useGroups, ErrorNote, Section, list } from './shared';
import { useFieldErrors } from '../../components/FieldErrors';

export function GroupsTab() {
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
  const errors = useFieldErrors(create.error, create.reset, ['name', 'userIds']);
  if (groups.data === null) return <div className="notice">Groups are not available on this server.</div>;
  const toggle = (list: string[], id: string, on: boolean) => (on ? [...list, id] : list.filter((x) => x !== id));
  return (
    <Section title="Groups">
      <p className="muted">Route a number to a group and everyone in it sees its conversations.</p>
      <form
        className="inline-form"
        onChange={errors.onChange}
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <input name="groupName" placeholder="Group name (e.g. Support)" required value={name} onChange={(e) => setName(e.target.value)} {...errors.input('name')} />
        {errors.note('name')}
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
      {errors.rest}
      <ErrorNote error={groups.error ?? update.error ?? remove.error} />
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
