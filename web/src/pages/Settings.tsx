/** Per-user settings: Web Push notifications on this device (F10). */
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, errorText } from '../lib/api';
import { useAuth } from '../lib/auth';

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

  const subscribeThisDevice = () =>
    run(async () => {
      const permission = await Notification.requestPermission();
      if (permission !== 'granted') return 'Notifications are blocked for this site in the browser settings.';
      const { publicKey } = await api<{ publicKey: string }>('/push/vapid-public-key');
      const registration = await navigator.serviceWorker.ready;
      const subscription = (await registration.pushManager.getSubscription()) ?? (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: urlBase64ToUint8Array(publicKey) }));
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
      <section className="card">
        <h2>Notifications</h2>
        <p className="muted">Get a phone or desktop notification when a new message arrives on your numbers. Install Switchboard from your browser menu (“Add to Home screen”) to use it like an app.</p>
        {settings.isError && <div className="notice error">{errorText(settings.error)}</div>}
        {settings.data && (
          <>
            <label className="switch">
              <input
                type="checkbox"
                checked={settings.data.enabled}
                disabled={busy}
                data-testid="push-enabled"
                onChange={(e) => void run(async () => void (await api('/push/settings', { method: 'PUT', body: { enabled: e.target.checked } })))}
              />
              Push notifications for {user?.name}
            </label>
            <p className="muted">
              {settings.data.subscriptions.length} device{settings.data.subscriptions.length === 1 ? '' : 's'} subscribed.
            </p>
            <div className="button-row">
              {pushSupported ? (
                <>
                  <button className="primary" onClick={() => void subscribeThisDevice()} disabled={busy || !settings.data.enabled}>
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
