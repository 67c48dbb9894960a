/** Admin → Labels (issue 12): create, rename, recolour and delete the labels agents put on conversations. */
import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { LABEL_PALETTE, DEFAULT_LABEL_COLOR } from '@shared/label-colors';
import { api } from '../../lib/api';
import { useLabels } from '../../lib/labels';
import type { Label } from '../../lib/types';
import { LabelChip } from '../../components/LabelChips';
import { ErrorNote, Section } from './shared';
import '../../components/labels.css';

function ColorChoice({ value, onChange, name }: { value: string; onChange(color: string): void; name: string }) {
  return (
    <div className="palette" role="group" aria-label={`Colour for ${name}`}>
      {Object.entries(LABEL_PALETTE).map(([key, hex]) => (
        <button key={key} type="button" style={{ background: hex }} aria-label={key} aria-pressed={value === hex} title={key} onClick={() => onChange(hex)} />
      ))}
      <input type="color" aria-label={`Custom colour for ${name}`} value={value} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}

function LabelRow({ label, onSaved }: { label: Label; onSaved(): Promise<unknown> }) {
  const [name, setName] = useState(label.name);
  const [color, setColor] = useState(label.color);
  const save = useMutation({ mutationFn: () => api(`/labels/${label.id}`, { method: 'PATCH', body: { name, color } }), onSuccess: onSaved });
  const remove = useMutation({ mutationFn: () => api(`/labels/${label.id}`, { method: 'DELETE' }), onSuccess: onSaved });
  const changed = name !== label.name || color !== label.color;
  return (
    <li className="item-card" data-testid="label-row" data-label-id={label.id}>
      <form
        className="label-admin-row"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <LabelChip label={{ ...label, name: name || label.name, color }} />
        <input type="text" aria-label={`Name of ${label.name}`} value={name} maxLength={50} required onChange={(e) => setName(e.target.value)} />
        <ColorChoice value={color} onChange={setColor} name={label.name} />
        <button className="primary small" type="submit" disabled={!changed || save.isPending}>
          Save
        </button>
        <button type="button" className="link-button danger-text" onClick={() => confirm(`Delete the label ${label.name}? It comes off every conversation.`) && remove.mutate()}>
          Delete
        </button>
      </form>
      <ErrorNote error={save.error ?? remove.error} />
    </li>
  );
}

export function LabelsTab() {
  const client = useQueryClient();
  const labels = useLabels();
  const [name, setName] = useState('');
  const [color, setColor] = useState<string>(DEFAULT_LABEL_COLOR);
  const invalidate = () => Promise.all([client.invalidateQueries({ queryKey: ['labels'] }), client.invalidateQueries({ queryKey: ['conversations'] }), client.invalidateQueries({ queryKey: ['conversation'] })]);
  const create = useMutation({
    mutationFn: () => api('/labels', { method: 'POST', body: { name, color } }),
    onSuccess: async () => {
      setName('');
      await invalidate();
    },
  });
  if (labels.data === null) return <div className="notice">Labels are not available on this server.</div>;
  return (
    <Section title="Labels">
      <p className="muted">Agents put labels on conversations and filter the inbox by them. Names are unique whatever their case.</p>
      <form
        className="label-admin-row"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <input type="text" name="labelName" placeholder="Label name (e.g. VIP)" aria-label="New label name" required maxLength={50} value={name} onChange={(e) => setName(e.target.value)} />
        <ColorChoice value={color} onChange={setColor} name="the new label" />
        <button className="primary" type="submit" disabled={create.isPending}>
          Create label
        </button>
      </form>
      <ErrorNote error={labels.error ?? create.error} />
      <ul className="stack plain-list" style={{ listStyle: 'none', padding: 0 }}>
        {(labels.data ?? []).map((label) => (
          <LabelRow key={`${label.id}:${label.name}:${label.color}`} label={label} onSaved={invalidate} />
        ))}
      </ul>
      {labels.data?.length === 0 && <p className="muted">No labels yet.</p>}
    </Section>
  );
}
