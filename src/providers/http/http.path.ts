/**
 * The small JSON-path dialect the generic HTTP provider reads answers and webhooks with:
 * `data.id`, `$.data.id`, `messages[0].id`, `media[*].url`. For form posts and GET queries a
 * path is a field name; a name ending in `*` collects every field with that prefix (`MediaUrl*`).
 */

export type PathSegment = { key: string } | { index: number } | { all: true } | { prefix: string };

export class PathError extends Error {}

const MAX_PATH_LENGTH = 200;
const MAX_SEGMENTS = 20;

/** Parses a path, throwing PathError naming the problem (used to validate account config). */
export function parsePath(path: string): PathSegment[] {
  if (typeof path !== 'string' || path.trim() === '') throw new PathError('the path is empty');
  if (path.length > MAX_PATH_LENGTH) throw new PathError(`the path is ${path.length} characters; the limit is ${MAX_PATH_LENGTH}`);
  let rest = path.trim().replace(/^\$\.?/, '');
  const segments: PathSegment[] = [];
  while (rest.length > 0) {
    const bracket = /^\[(\d{1,6}|\*|"[^"]{1,100}"|'[^']{1,100}')\]/.exec(rest);
    const name = /^\.?([A-Za-z0-9_\-:@$]{1,100})/.exec(rest);
    if (bracket) {
      const inner = bracket[1]!;
      segments.push(inner === '*' ? { all: true } : /^\d/.test(inner) ? { index: Number(inner) } : { key: inner.slice(1, -1) });
      rest = rest.slice(bracket[0].length);
    } else if (name && (segments.length > 0 || !rest.startsWith('.'))) {
      rest = rest.slice(name[0].length);
      // `MediaUrl*` (last step only): every key with that prefix, in document order.
      if (rest === '*') {
        segments.push({ prefix: name[1]! });
        rest = '';
      } else {
        segments.push({ key: name[1]! });
      }
    } else {
      throw new PathError(`"${path}" is not a path (write it like data.message_id, messages[0].id or media[*].url)`);
    }
    if (segments.length > MAX_SEGMENTS) throw new PathError(`"${path}" has more than ${MAX_SEGMENTS} parts`);
  }
  if (segments.length === 0) throw new PathError(`"${path}" names nothing`);
  return segments;
}

/** The value at `path` in a parsed JSON document; undefined when any step is missing. `[*]` yields an array. */
export function lookupJson(document: unknown, path: string): unknown {
  let current: unknown[] = [document];
  let spread = false;
  for (const segment of parsePath(path)) {
    const next: unknown[] = [];
    for (const value of current) {
      if ('all' in segment) {
        if (Array.isArray(value)) next.push(...value);
      } else if ('prefix' in segment) {
        if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
          for (const [key, item] of Object.entries(value)) if (key.startsWith(segment.prefix)) next.push(item);
        }
      } else if ('index' in segment) {
        if (Array.isArray(value) && segment.index < value.length) next.push(value[segment.index]);
      } else if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, segment.key)) {
        next.push((value as Record<string, unknown>)[segment.key]);
      }
    }
    if ('all' in segment || 'prefix' in segment) spread = true;
    current = next;
  }
  if (spread) return current;
  return current[0];
}

/** Form or query fields, each name with every value it was given (names may repeat). */
export type FieldMap = ReadonlyMap<string, string[]>;

/** The values of a form field (or every `prefix*` field, in order of appearance). */
export function lookupField(fields: FieldMap, name: string): string[] | undefined {
  if (name.endsWith('*') && name.length > 1) {
    const prefix = name.slice(0, -1);
    const values = [...fields.entries()].filter(([key]) => key.startsWith(prefix)).flatMap(([, list]) => list);
    return values.length > 0 ? values : undefined;
  }
  return fields.get(name);
}

/** A looked-up value as one string: numbers and booleans are written out, objects are not text. */
export function asText(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length > 0 ? asText(value[0]) : undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}
