/**
 * Splits a message body into text and links for display (F20): only http(s), mailto and tel
 * links become links; anything else (javascript:, data:, …) stays plain text. Pure, so the
 * thread renders the parts as React elements and never as HTML.
 */
export type BodyPart = { type: 'text'; text: string } | { type: 'link'; text: string; href: string; external: boolean };

// A scheme URL, a www. address, or an email address; phone numbers only with an explicit tel:.
const CANDIDATE = /\b(?:(?:https?:\/\/|www\.)[^\s<>"]+|mailto:[^\s<>"]+|tel:\+?[\d\-.() ]*\d|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/gi;
const TRAILING = /[.,;:!?'"”’)\]}>]+$/;
const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:', 'tel:']);

/** Trailing punctuation ends a sentence, not the URL; a closing bracket stays if the URL opened one. */
function trimTrailing(candidate: string): string {
  let url = candidate;
  for (;;) {
    const match = TRAILING.exec(url);
    if (!match) return url;
    const last = url.at(-1)!;
    if (last === ')' && count(url, '(') >= count(url, ')')) return url;
    url = url.slice(0, -1);
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

/** The href for a candidate, or null when it is not a safe, well-formed link. */
export function safeHref(candidate: string): string | null {
  let raw = candidate;
  if (/^www\./i.test(raw)) raw = `https://${raw}`;
  else if (!/^[a-z][a-z0-9+.-]*:/i.test(raw) && raw.includes('@')) raw = `mailto:${raw}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (!SAFE_PROTOCOLS.has(url.protocol)) return null;
  if ((url.protocol === 'http:' || url.protocol === 'https:') && !url.hostname) return null;
  if (url.protocol === 'tel:' && !/^\+?[\d\-.() ]+$/.test(decodeURIComponent(url.pathname))) return null;
  return url.protocol === 'tel:' ? `tel:${decodeURIComponent(url.pathname).replace(/[^\d+]/g, '')}` : url.href;
}

export function linkify(body: string): BodyPart[] {
  const parts: BodyPart[] = [];
  let last = 0;
  const push = (text: string) => {
    if (!text) return;
    const prev = parts.at(-1);
    if (prev?.type === 'text') prev.text += text;
    else parts.push({ type: 'text', text });
  };
  for (const match of body.matchAll(CANDIDATE)) {
    const start = match.index ?? 0;
    const text = trimTrailing(match[0]);
    const href = safeHref(text);
    if (!href || !text) continue;
    push(body.slice(last, start));
    parts.push({ type: 'link', text, href, external: href.startsWith('http') });
    last = start + text.length;
  }
  push(body.slice(last));
  return parts;
}
