/** The inbox list's label filter: every label of the tenant, or all conversations. */
import { useLabels } from '../lib/labels';

export function LabelFilter({ value, onChange }: { value: string; onChange(labelId: string): void }) {
  const labels = useLabels();
  if (!labels.data?.length && !value) return null;
  return (
    <select aria-label="Label" value={value} onChange={(e) => onChange(e.target.value)} data-testid="label-filter">
      <option value="">All labels</option>
      {(labels.data ?? []).map((label) => (
        <option key={label.id} value={label.id}>
          {label.name}
        </option>
      ))}
    </select>
  );
}
