/** Per-user settings: profile, light/dark theme, Web Push notifications on this device (F10). */
import { useState } from 'react';
import type React from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, errorText } from '../lib/api';
import { withTimeout } from '../lib/with-timeout';
import { useAuth } from '../lib/auth';
import { guessCountry, toE164 } from '../lib/format';
import { ThemeSwitch } from '../components/ThemeSwitch';
import { useFieldErrors } from '../components/FieldErrors';

interface PushSettings {
  enabled: boolean;
  subscriptions: Array<{ id: string; endpoint: string; userAgent: string | null; createdAt: string; lastSuccessAt: string | null; lastError: string | null }>;
}

function urlBase64ToUint8Array(base64: string): Uint8Array<ArrayBuffer> {
  const padding = '='.repeat((4 - (base64.length % 4)) % 4);
  const raw = atob((base64 + padding).replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

const pushSupported = typeof window !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in window && window.isSecureContext;

export default function SettingsPage() {
  const { user } = useAuth();
  const client = useQueryClient();
  const settings = useQuery({ queryKey: ['push-settings'], queryFn: () => api<PushSettings>('/push/settings') });
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The switch answers at once; the server's value wins when it comes back.
  const [enabledOverride, setEnabledOverride] = useState<boolean | null>(null);
  const enabled = enabledOverride ?? settings.data?.enabled ?? true;

  const run = async (work: () => Promise<string | void>) => {
    setBusy(true);
    setMessage(null);
    try {
      const done = await work();
      if (done) setMessage(done);
      await client.invalidateQueries({ queryKey: ['push-settings'] });
    } catch (err) {
      setMessage(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const PUSH_TIMEOUT_MS = 15_000;
  const subscribeThisDevice = () =>
    run(async () => {
      const permission = await Notification.requestPermission();
      if (permission !== 'granted') return 'Notifications are blocked for this site in the browser settings.';
      const { publicKey } = await api<{ publicKey: string }>('/push/vapid-public-key');
      // The browser's push service can be unreachable (firewalls, no Google services): don't hang.
      const registration = await withTimeout(navigator.serviceWorker.ready, PUSH_TIMEOUT_MS, 'The app’s service worker did not start; reload the page and try again.');
      const subscription =
        (await registration.pushManager.getSubscription()) ??
        (await withTimeout(
          registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: urlBase64ToUint8Array(publicKey) }),
          PUSH_TIMEOUT_MS,
          `The browser’s push service did not answer within ${PUSH_TIMEOUT_MS / 1000} seconds. It may be blocked on this network; notifications cannot be set up on this device right now.`,
        ));
      await api('/push/subscriptions', { method: 'POST', body: subscription.toJSON() });
      return 'This device will get a notification for each new inbound message.';
    });

  const unsubscribeThisDevice = () =>
    run(async () => {
      const registration = await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.getSubscription();
      if (subscription) {
        await api('/push/subscriptions', { method: 'DELETE', body: { endpoint: subscription.endpoint } });
        await subscription.unsubscribe();
      }
      return 'This device will no longer get notifications.';
    });

  return (
    <div className="page settings-page">
      <h1>Settings</h1>
      <Profile />
      <ThemeSwitch />
      <section className="card">
        <h2>Notifications</h2>
        <p className="muted">Get a phone or desktop notification when a new message arrives on your numbers. Install Switchboard from your browser menu (“Add to Home screen”) to use it like an app.</p>
        {settings.isError && <div className="notice error">{errorText(settings.error)}</div>}
        {settings.data && (
          <>
            <label className="switch">
              <input
                type="checkbox"
                checked={enabled}
                data-testid="push-enabled"
                onChange={(e) => {
                  const next = e.target.checked;
                  setEnabledOverride(next);
                  void run(async () => {
                    try {
                      await api('/push/settings', { method: 'PUT', body: { enabled: next } });
                    } catch (err) {
                      setEnabledOverride(null);
                      throw err;
                    }
                  });
                }}
              />
              Push notifications for {user?.name}
            </label>
            <p className="muted">
              {settings.data.subscriptions.length} device{settings.data.subscriptions.length === 1 ? '' : 's'} subscribed.
            </p>
            <div className="button-row">
              {pushSupported ? (
                <>
                  <button className="primary" onClick={() => void subscribeThisDevice()} disabled={busy || !enabled}>
                    Notify this device
                  </button>
                  <button className="secondary" onClick={() => void unsubscribeThisDevice()} disabled={busy}>
                    Stop on this device
                  </button>
                  <button className="secondary" onClick={() => void run(async () => {
                    const r = await api<{ sent: number; failed: number; removed: number }>('/push/test', { method: 'POST' });
                    return `Test sent to ${r.sent} device(s)${r.failed ? `, ${r.failed} failed` : ''}.`;
                  })} disabled={busy}>
                    Send a test
                  </button>
                </>
              ) : (
                <p className="muted">This browser cannot receive push notifications here (they need HTTPS and a browser that supports Web Push).</p>
              )}
            </div>
          </>
        )}
        {message && (
          <div className="notice" role="status">
            {message}
          </div>
        )}
      </section>
    </div>
  );
}

/** What people may change about themselves: name, mobile (for notifications) and password. */
function Profile() {
  const { user } = useAuth();
  const client = useQueryClient();
  const [form, setForm] = useState({ name: user?.name ?? '', mobile: user?.mobile ?? '', password: '', currentPassword: '' });
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const errors = useFieldErrors(error, () => setError(null), ['name', 'mobile', 'password', 'currentPassword']);
  if (!user) return null;
  const save = async (event: React.FormEvent) => {
    event.preventDefault();
    setSaved(false);
    setError(null);
    try {
      // Local numbers are read in the browser's country, as the person typed them.
      const mobile = form.mobile.trim() ? (toE164(form.mobile, guessCountry()) ?? form.mobile.trim()) : null;
      const body: Record<string, unknown> = { name: form.name, mobile };
      if (form.password) {
        body.password = form.password;
        body.currentPassword = form.currentPassword;
      }
      await api(`/users/${user.id}`, { method: 'PATCH', body });
      setForm({ ...form, password: '', currentPassword: '' });
      setSaved(true);
      await client.invalidateQueries({ queryKey: ['me'] });
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="card form-grid" onSubmit={save} onChange={errors.onChange} data-testid="profile">
      <h2>Your profile</h2>
      <p className="muted">
        {user.email} · {user.role}
        {user.extension ? ` · extension ${user.extension}` : ''}
      </p>
      <label>
        Name
        <input name="profileName" required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} {...errors.input('name')} />
        {errors.note('name')}
      </label>
      <label>
        Mobile
        <input name="profileMobile" value={form.mobile} onChange={(e) => setForm({ ...form, mobile: e.target.value })} placeholder="+15551234567" {...errors.input('mobile')} />
        {errors.note('mobile')}
      </label>
      <label>
        New password (leave empty to keep)
        <input name="profilePassword" type="password" autoComplete="new-password" minLength={8} value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} {...errors.input('password')} />
        {errors.note('password')}
      </label>
      {form.password && (
        <label>
          Current password (signs out your other devices)
          <input name="profileCurrentPassword" type="password" autoComplete="current-password" required value={form.currentPassword} onChange={(e) => setForm({ ...form, currentPassword: e.target.value })} {...errors.input('currentPassword')} />
          {errors.note('currentPassword')}
        </label>
      )}
      {saved && <div className="notice success">Saved.</div>}
      {errors.rest}
      <div className="button-row">
        <button className="primary" type="submit">
          Save profile
        </button>
      </div>
    </form>
  );
}
