/**
 * API errors in words, tied to the field they name: `body.destinations.emails.1 must match
 * format "email"` becomes "Emails (destinations) #2 is not an email address", with
 * `field` = "destinations.emails.1" so a form can show it next to that input.
 */
const FORMAT_WORDS: Record<string, string> = {
  email: 'is not an email address',
  uri: 'is not a web address (https://…)',
  'date-time': 'is not a date and time',
  date: 'is not a date',
};

function words(name: string): string {
  const spaced = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]/g, ' ').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** "destinations.emails.1" → "Emails (destinations) #2". */
export function fieldWords(path: string): string {
  const parts = path.split('.').filter(Boolean);
  const index = parts.length > 1 && /^\d+$/.test(parts.at(-1)!) ? Number(parts.pop()) + 1 : null;
  const name = parts.pop() ?? 'value';
  const parents = parts.filter((p) => !/^\d+$/.test(p)).map((p) => words(p).toLowerCase());
  return `${words(name)}${parents.length ? ` (${parents.join(' › ')})` : ''}${index ? ` #${index}` : ''}`;
}

function problemWords(problem: string): string {
  const format = /^must match format "([^"]+)"$/.exec(problem);
  if (format) return FORMAT_WORDS[format[1]!] ?? `is not a valid ${format[1]}`;
  const longest = /^must NOT have more than (\d+) characters$/.exec(problem);
  if (longest) return `is longer than ${longest[1]} characters`;
  const shortest = /^must NOT have fewer than (\d+) characters$/.exec(problem);
  if (shortest) return shortest[1] === '1' ? 'is required' : `needs at least ${shortest[1]} characters`;
  const most = /^must NOT have more than (\d+) items$/.exec(problem);
  if (most) return `may hold at most ${most[1]}`;
  if (/^must match pattern/.test(problem)) return 'is not in the expected form';
  if (problem === 'must be integer') return 'must be a whole number';
  if (problem === 'must be number') return 'must be a number';
  return problem;
}

export interface FieldError {
  /** The field's path in the request body, e.g. "destinations.emails.1". */
  field: string | null;
  message: string;
}

/** Reads a validation message from the API; messages that name no field pass through unchanged. */
export function describeApiMessage(message: string): FieldError {
  const required = /^(?:body|querystring|params)((?:\.[\w-]+)*)\.([\w-]+) is required$/.exec(message);
  if (required) {
    const field = `${required[1]!.slice(1)}${required[1] ? '.' : ''}${required[2]}`;
    return { field, message: `${fieldWords(field)} is required` };
  }
  const named = /^(?:body|querystring|params)\.([\w.-]+) (must .+|has an unknown field .+)$/.exec(message);
  if (!named) return { field: null, message };
  const field = named[1]!;
  return { field, message: `${fieldWords(field)} ${problemWords(named[2]!)}` };
}

/**
 * Which of a form's fields an API error is about, and the message in words. Schema errors name
 * the field (`body.destinations.emails.1 …`); the server's own checks start with it
 * (`mobile "abc" is not a valid phone number`). A field matches itself and its items
 * ("destinations.emails" takes "destinations.emails.1"); the longest match wins.
 */
export function formFieldError(message: string, fields: readonly string[]): FieldError {
  const described = describeApiMessage(message);
  const leading = /^([A-Za-z]\w*(?:\.[\w-]+|\[\d+\])*)(?=[\s:"]|$)/.exec(message)?.[1] ?? null;
  const named = described.field ?? leading?.replace(/\[(\d+)\]/g, '.$1') ?? null;
  const field = named ? ([...fields].sort((a, b) => b.length - a.length).find((f) => named === f || named.startsWith(`${f}.`)) ?? null) : null;
  if (!field) return { field: null, message: described.message };
  if (described.field) return { field, message: described.message };
  // "mobile "abc" is not…" → "Mobile "abc" is not…"
  return { field, message: `${fieldWords(named!)}${message.slice(leading!.length)}` };
}

/** The browser's own network failures ("Failed to fetch") in words. */
export function isNetworkFailure(error: unknown): boolean {
  return error instanceof TypeError && /fetch|network|load failed/i.test(error.message);
}

export const SERVER_UNREACHABLE = 'Cannot reach the Switchboard server. Check your connection; nothing was sent.';
