/** Messages per day, stacked by status: a hand-drawn SVG (no chart library). */
const COLORS: Record<string, string> = {
  delivered: '#16a34a',
  sent: '#22c55e',
  received: '#2563eb',
  queued: '#a3a3a3',
  sending: '#fbbf24',
  undelivered: '#f97316',
  failed: '#dc2626',
};

export function colorFor(status: string): string {
  return COLORS[status] ?? '#8b5cf6';
}

export function DayChart({ days, statuses }: { days: Array<{ date: string; total: number; byStatus: Record<string, number> }>; statuses: string[] }) {
  const width = 640;
  const height = 160;
  const pad = { top: 10, bottom: 22, left: 30, right: 6 };
  const max = Math.max(1, ...days.map((d) => d.total));
  const barWidth = (width - pad.left - pad.right) / Math.max(1, days.length);
  const scale = (n: number) => (n / max) * (height - pad.top - pad.bottom);
  return (
    <figure className="chart" data-testid="day-chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Messages per day by status">
        <line x1={pad.left} x2={width - pad.right} y1={height - pad.bottom} y2={height - pad.bottom} stroke="#cbd5e1" />
        <text x={pad.left - 4} y={pad.top + 8} textAnchor="end" fontSize="10" fill="#64748b">
          {max}
        </text>
        <text x={pad.left - 4} y={height - pad.bottom} textAnchor="end" fontSize="10" fill="#64748b">
          0
        </text>
        {days.map((day, i) => {
          let y = height - pad.bottom;
          const x = pad.left + i * barWidth + 2;
          return (
            <g key={day.date}>
              <title>{`${day.date}: ${day.total} messages${statuses.map((s) => (day.byStatus[s] ? `\n${s}: ${day.byStatus[s]}` : '')).join('')}`}</title>
              {statuses.map((status) => {
                const n = day.byStatus[status] ?? 0;
                if (!n) return null;
                const h = scale(n);
                y -= h;
                return <rect key={status} x={x} y={y} width={Math.max(1, barWidth - 4)} height={h} fill={colorFor(status)} />;
              })}
              {(i % Math.ceil(days.length / 7) === 0 || i === days.length - 1) && (
                <text x={x + barWidth / 2 - 2} y={height - 6} textAnchor="middle" fontSize="10" fill="#64748b">
                  {day.date.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        {statuses.map((s) => (
          <span key={s}>
            <i style={{ background: colorFor(s) }} /> {s}
          </span>
        ))}
        {statuses.length === 0 && <span className="muted">No messages in this period.</span>}
      </figcaption>
    </figure>
  );
}
