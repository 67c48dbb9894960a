/**
 * The API-key scope every /api/v1 route needs (F17). A route may declare `config.scope`; the rest
 * get theirs from the table below, and anything the table does not name falls back to the least
 * privilege that fits: reads need `messages:read`, writes need `admin`. The scope is also written
 * into the OpenAPI document (`x-required-scope`) so integrators see it.
 */
export const API_KEY_SCOPES = ['*', 'messages:read', 'messages:send', 'inbox:write', 'contacts:write', 'admin'] as const;
export type ApiScope = Exclude<(typeof API_KEY_SCOPES)[number], '*'>;

const RULES: Array<{ method: string; path: RegExp; scope: ApiScope }> = [
  // Sending, and what sending needs.
  { method: 'POST', path: /^\/messages$/, scope: 'messages:send' },
  { method: 'POST', path: /^\/messages\/:id\/retry$/, scope: 'messages:send' },
  { method: 'POST', path: /^\/conversations\/:id\/messages$/, scope: 'messages:send' },
  { method: 'POST', path: /^\/media$/, scope: 'messages:send' },
  { method: 'POST', path: /^\/sandbox\/inbound$/, scope: 'messages:send' },
  { method: 'POST', path: /^\/notifications$/, scope: 'messages:send' },
  { method: 'POST', path: /^\/templates\/:id\/(render|preview)$/, scope: 'messages:send' },
  { method: 'POST', path: /^\/documents$/, scope: 'messages:send' },
  { method: 'WRITE', path: /^\/cases/, scope: 'messages:send' },
  // Working the inbox.
  { method: '*', path: /^\/conversations\/:id\/(read|unread|assign|status|notes|labels)/, scope: 'inbox:write' },
  { method: 'POST', path: /^\/conversations\/bulk/, scope: 'inbox:write' },
  { method: '*', path: /^\/contacts\/:id\/link/, scope: 'inbox:write' },
  // Contacts.
  { method: 'WRITE', path: /^\/contacts/, scope: 'contacts:write' },
  // Administration reads.
  { method: 'GET', path: /^\/(api-keys|webhook-log|audit-log|provider-accounts|settings|event-webhooks|workflows)/, scope: 'admin' },
];

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function scopeForRoute(method: string, url: string): ApiScope {
  const path = url.replace(/^\/api\/v1/, '');
  for (const rule of RULES) {
    const methodMatches = rule.method === '*' || rule.method === method || (rule.method === 'WRITE' && WRITE_METHODS.has(method));
    if (methodMatches && rule.path.test(path)) return rule.scope;
  }
  return WRITE_METHODS.has(method) ? 'admin' : 'messages:read';
}
