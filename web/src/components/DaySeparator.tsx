/** The line between two days of a thread (issue 12), labelled in the viewer's time zone. */
import { dayKey, dayLabel } from '../lib/days';
import { fullTime } from '../lib/format';
import './thread.css';

export function DaySeparator({ at }: { at: string }) {
  return (
    <div className="day-separator" role="separator" data-testid="day-separator" data-day={dayKey(at)}>
      <span title={fullTime(at)}>{dayLabel(at)}</span>
    </div>
  );
}
