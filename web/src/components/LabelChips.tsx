/** A conversation's labels as coloured chips (inbox rows and the thread header). */
import { labelTextColor } from '@shared/label-colors';
import type { Label } from '../lib/types';
import './labels.css';

export function LabelChip({ label }: { label: Label }) {
  return (
    <span className="label-chip" style={{ background: label.color, color: labelTextColor(label.color) }} title={label.name} data-testid="label-chip">
      {label.name}
    </span>
  );
}

export function LabelChips({ labels }: { labels?: Label[] }) {
  if (!labels?.length) return null;
  return (
    <span className="label-chips" aria-label={`Labels: ${labels.map((l) => l.name).join(', ')}`}>
      {labels.map((label) => (
        <LabelChip key={label.id} label={label} />
      ))}
    </span>
  );
}
