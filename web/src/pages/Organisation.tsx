/** Organisation settings (F18, F25) for owners and admins: name, time zone, default country, send-later presets, HELP and opt-out texts, retention. */
import { useEffect, useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api } from '../lib/api';
import { useAuth } from '../lib/auth';
import { useTenantSettings, type SendLaterPreset, type TenantSettings } from '../lib/automation';
import { fullTime } from '../lib/format';
import { useFieldErrors } from '../components/FieldErrors';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
type PresetKind = 'minutes' | 'day' | 'weekday';

function kindOf(preset: SendLaterPreset): PresetKind {
  return preset.minutes !== undefined ? 'minutes' : preset.weekday !== undefined ? 'weekday' : 'day';
}

function PresetRow({ preset, index, onChange, onRemove }: { preset: SendLaterPreset; index: number; onChange(p: SendLaterPreset): void; onRemove(): void }) {
  const kind = kindOf(preset);
  const setKind = (next: PresetKind) =>
    onChange(next === 'minutes' ? { label: preset.label, minutes: 60 } : next === 'weekday' ? { label: preset.label, weekday: 1, time: preset.time ?? '09:00' } : { label: preset.label, dayOffset: 1, time: preset.time ?? '09:00' });
  return (
    <div className="inline-form" data-testid="preset-row">
      <input name={`preset-label-${index}`} aria-label="Preset label" value={preset.label} maxLength={60} required onChange={(e) => onChange({ ...preset, label: e.target.value })} />
      <select name={`preset-kind-${index}`} aria-label="Preset kind" value={kind} onChange={(e) => setKind(e.target.value as PresetKind)}>
        <option value="minutes">Minutes from now</option>
        <option value="day">Days ahead at a time</option>
        <option value="weekday">Next weekday at a time</option>
      </select>
      {kind === 'minutes' && <input type="number" name={`preset-minutes-${index}`} aria-label="Minutes" min={1} value={preset.minutes ?? 60} onChange={(e) => onChange({ ...preset, minutes: Number(e.target.value) })} />}
      {kind === 'day' && <input type="number" name={`preset-days-${index}`} aria-label="Days ahead" min={0} max={60} value={preset.dayOffset ?? 1} onChange={(e) => onChange({ ...preset, dayOffset: Number(e.target.value) })} />}
      {kind === 'weekday' && (
        <select name={`preset-weekday-${index}`} aria-label="Weekday" value={preset.weekday ?? 1} onChange={(e) => onChange({ ...preset, weekday: Number(e.target.value) })}>
          {WEEKDAYS.map((day, i) => (
            <option key={day} value={i}>
              {day}
            </option>
          ))}
        </select>
      )}
      {kind !== 'minutes' && <input type="time" name={`preset-time-${index}`} aria-label="Time" value={preset.time ?? '09:00'} onChange={(e) => onChange({ ...preset, time: e.target.value })} />}
      {preset.nextAt && <small className="muted">next: {fullTime(preset.nextAt)}</small>}
      <button type="button" className="link-button" onClick={onRemove} aria-label={`Remove preset ${preset.label}`}>
        ✕
      </button>
    </div>
  );
}

const ORGANISATION_FIELDS = ['name', 'timeZone', 'defaultCountry', 'sendLaterPresets', 'helpText', 'optOutReply', 'optInReply', 'auditRetentionDays', 'documentLinkDays'];

export default function OrganisationPage() {
  const { user } = useAuth();
  const client = useQueryClient();
  const settings = useTenantSettings();
  const [form, setForm] = useState<TenantSettings | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const errors = useFieldErrors(error, () => setError(null), ORGANISATION_FIELDS);
  useEffect(() => {
    if (settings.data && !form) setForm(settings.data);
  }, [settings.data, form]);
  if (!form) return <div className="page">Loading…</div>;
  const set = <K extends keyof TenantSettings>(key: K, value: TenantSettings[K]) => setForm({ ...form, [key]: value });

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    setError(null);
    try {
      const presets = form.sendLaterPresets.map(({ nextAt: _nextAt, ...preset }) => preset);
      const saved = await api<TenantSettings>('/tenant', {
        method: 'PATCH',
        body: {
          ...(user?.role === 'owner' ? { name: form.name } : {}),
          timeZone: form.timeZone,
          defaultCountry: form.defaultCountry ? form.defaultCountry.toUpperCase() : null,
          sendLaterPresets: presets,
          helpText: form.helpText,
          optOutReply: form.optOutReply,
          optInReply: form.optInReply,
          auditRetentionDays: form.auditRetentionDays,
          documentLinkDays: form.documentLinkDays,
        },
      });
      setForm(saved);
      client.setQueryData(['tenant'], saved);
      await client.invalidateQueries({ queryKey: ['me'] });
      setMessage({ ok: true, text: 'Saved.' });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page organisation-page">
      <h1>Organisation</h1>
      <form className="card form-grid" onSubmit={save} onChange={errors.onChange} data-testid="organisation-form">
        <label>
          Name
          <input name="tenantName" value={form.name} required maxLength={200} disabled={user?.role !== 'owner'} title={user?.role !== 'owner' ? 'Only owners can rename the organisation' : undefined} onChange={(e) => set('name', e.target.value)} {...errors.input('name')} />
          {errors.note('name')}
        </label>
        <label>
          Time zone (IANA, e.g. Europe/London)
          <input name="timeZone" value={form.timeZone} required list="time-zones" onChange={(e) => set('timeZone', e.target.value)} {...errors.input('timeZone')} />
          {errors.note('timeZone')}
          <datalist id="time-zones">
            {(Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone').map((zone) => <option key={zone} value={zone} />)}
          </datalist>
        </label>
        <label>
          Default country for local numbers (two letters, e.g. US; a number's own setting comes first)
          <input name="defaultCountry" value={form.defaultCountry ?? ''} maxLength={2} placeholder="none" onChange={(e) => set('defaultCountry', e.target.value || null)} {...errors.input('defaultCountry')} />
          {errors.note('defaultCountry')}
        </label>
        <fieldset {...errors.input('sendLaterPresets')}>
          <legend>Send-later presets (up to 5, in the organisation's time zone)</legend>
          {form.sendLaterPresets.map((preset, index) => (
            <PresetRow
              key={index}
              index={index}
              preset={preset}
              onChange={(next) => set('sendLaterPresets', form.sendLaterPresets.map((p, i) => (i === index ? next : p)))}
              onRemove={() => set('sendLaterPresets', form.sendLaterPresets.filter((_, i) => i !== index))}
            />
          ))}
          {form.sendLaterPresets.length < 5 && (
            <button type="button" className="secondary" data-testid="add-preset" onClick={() => set('sendLaterPresets', [...form.sendLaterPresets, { label: 'Tomorrow 9am', dayOffset: 1, time: '09:00' }])}>
              Add preset
            </button>
          )}
          {errors.note('sendLaterPresets')}
        </fieldset>
        <label>
          HELP answer
          <textarea name="helpText" rows={2} value={form.helpText} required maxLength={1000} onChange={(e) => set('helpText', e.target.value)} {...errors.input('helpText')} />
          {errors.note('helpText')}
        </label>
        <label>
          Opt-out confirmation (answer to STOP)
          <textarea name="optOutReply" rows={2} value={form.optOutReply} required maxLength={1000} onChange={(e) => set('optOutReply', e.target.value)} {...errors.input('optOutReply')} />
          {errors.note('optOutReply')}
        </label>
        <label>
          Opt-in confirmation (answer to START)
          <textarea name="optInReply" rows={2} value={form.optInReply} required maxLength={1000} onChange={(e) => set('optInReply', e.target.value)} {...errors.input('optInReply')} />
          {errors.note('optInReply')}
        </label>
        <label>
          Keep the audit log for (days)
          <input type="number" name="auditRetentionDays" min={7} max={3650} value={form.auditRetentionDays} onChange={(e) => set('auditRetentionDays', Number(e.target.value))} {...errors.input('auditRetentionDays')} />
          {errors.note('auditRetentionDays')}
        </label>
        <label>
          Document links expire after (days, 0 = never)
          <input type="number" name="documentLinkDays" min={0} max={3650} value={form.documentLinkDays} onChange={(e) => set('documentLinkDays', Number(e.target.value))} {...errors.input('documentLinkDays')} />
          {errors.note('documentLinkDays')}
        </label>
        <div>
          <button className="primary" type="submit" disabled={busy} data-testid="save-organisation">
            {busy ? 'Saving…' : 'Save'}
          </button>
        </div>
        {message && (
          <div className={`notice ${message.ok ? 'success' : 'error'}`} role={message.ok ? 'status' : 'alert'} data-testid="organisation-result">
            {message.text}
          </div>
        )}
        {errors.rest}
      </form>
    </div>
  );
}
