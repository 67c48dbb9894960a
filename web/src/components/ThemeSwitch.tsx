/** Settings → Appearance: System / Light / Dark, remembered in this browser. */
import { THEME_CHOICES, useThemeChoice } from '../lib/theme';

export function ThemeSwitch() {
  const [choice, choose] = useThemeChoice();
  return (
    <section className="card" data-testid="appearance">
      <h2>Appearance</h2>
      <fieldset className="theme-switch">
        <legend>Theme (this browser)</legend>
        {THEME_CHOICES.map(([value, label]) => (
          <label key={value} className="check">
            <input type="radio" name="theme" value={value} checked={choice === value} onChange={() => choose(value)} data-testid={`theme-${value}`} />
            {label}
          </label>
        ))}
      </fieldset>
      <p className="muted small">System follows your device’s light or dark setting.</p>
    </section>
  );
}
