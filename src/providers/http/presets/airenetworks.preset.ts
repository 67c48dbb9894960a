/**
 * Aire Networks (Spain) as a preset of the generic HTTP provider. Aire publishes no API
 * reference (../shared/providers/airenetworks.md): the customer gets a send URL, a username, a
 * password and a Sender ID in its onboarding document. The preset posts `from`, `to` and `text`
 * with Basic auth, as form fields or JSON, and treats any 2xx as accepted (`sent`). No inbound
 * messages or delivery receipts are known; a contract with receipts uses the `http` type.
 */
import { isSenderId } from '../../../lib/phone.js';
import { CredentialsError } from '../../core/credentials.js';
import type { AdapterDeps, ProviderAccountConfig, ProviderManifest, ProviderModule } from '../../core/types.js';
import { parseHttpConfig, type HttpConfig, type HttpCredentials } from '../http.config.js';
import { createHttpAdapter } from '../http.provider.js';

export const airenetworksManifest: ProviderManifest = {
  type: 'airenetworks',
  displayName: 'Aire Networks',
  logoText: 'AIRE',
  docsUrl: 'https://www.airenetworks.es/',
  envPrefix: 'AIRENETWORKS',
  defaultBaseUrl: '',
  credentials: [
    { key: 'url', label: 'Send URL (from Aire Networks\u2019 onboarding document)', required: true, secret: false },
    { key: 'username', label: 'SMS account username', required: true, secret: false },
    { key: 'password', label: 'SMS account password', required: true, secret: true },
    { key: 'senderId', label: 'Sender ID (alphanumeric \u2264 11, or a number)', required: false, secret: false, description: 'sent as "from" on every message; empty sends the number the message goes out from' },
    { key: 'numberFormat', label: 'Number format', required: false, secret: false, choices: ['e164', 'digits'], description: 'e164: +34612345678 (default); digits: 34612345678' },
    { key: 'bodyFormat', label: 'Request body', required: false, secret: false, choices: ['form', 'json'], description: 'form fields (default) or a JSON object' },
    { key: 'messageIdPath', label: 'Message id in the answer (JSON path, optional)', required: false, secret: false },
  ],
  capabilities: { sms: true, mms: false, senderId: true, statusCallbacks: false, maxBodyLength: 1600, maxMediaCount: 0, maxMediaBytes: 0, defaultMps: 0, signedWebhooks: false },
};

/** The http configuration these few fields stand for (also what the Try-it preview shows). */
export function airenetworksConfig(credentials: Record<string, string>): { config: HttpConfig; credentials: Partial<HttpCredentials> } {
  const url = credentials.url ?? '';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CredentialsError(`credentials.url "${url}" is not a URL`);
  }
  if (!/^https?:$/.test(parsed.protocol)) throw new CredentialsError(`credentials.url must be http(s), got "${parsed.protocol}"`);
  // The URL is used literally, never as a template.
  if (/[{}]/.test(url)) throw new CredentialsError('credentials.url cannot contain { or }');
  const sender = credentials.senderId?.trim();
  if (sender && !isSenderId(sender) && !/^\+?\d{3,15}$/.test(sender)) throw new CredentialsError(`credentials.senderId "${sender}" is neither an alphanumeric sender (1–11 letters/digits) nor a number`);
  const number = credentials.numberFormat === 'digits' ? 'digits' : 'e164';
  const body = { from: sender || `{{ from | ${number} }}`, to: `{{ to | ${number} }}`, text: '{{ body }}' };
  const config = parseHttpConfig(
    JSON.stringify({
      request: { method: 'POST', url, auth: { type: 'basic' }, bodyFormat: credentials.bodyFormat === 'json' ? 'json' : 'form', body },
      response: credentials.messageIdPath ? { messageIdPath: credentials.messageIdPath } : {},
    }),
  );
  return { config, credentials: { username: credentials.username, password: credentials.password } };
}

export const airenetworksProvider: ProviderModule = {
  manifest: airenetworksManifest,
  create(account: ProviderAccountConfig, deps: AdapterDeps) {
    const resolved = airenetworksConfig(account.credentials);
    return createHttpAdapter(airenetworksManifest, resolved.config, resolved.credentials, account, deps);
  },
  validate: (credentials) => void airenetworksConfig(credentials),
};
