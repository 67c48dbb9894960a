/**
 * Liquid templates of the generic HTTP provider, under strict limits: no file system (include,
 * render and layout are refused), only the variables an outbound message has, bounded template
 * size, render time and output. Filters `e164`, `digits` and `national` format phone numbers.
 */
import { Liquid } from 'liquidjs';
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

/** Every variable a request template may use. Secrets are available but redacted in previews. */
export const TEMPLATE_VARIABLES = ['from', 'to', 'body', 'media_urls', 'message_id', 'status_callback_url', 'username', 'password', 'token'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
export type TemplateScope = Record<TemplateVariable, string | string[]>;

export const TEMPLATE_LIMITS = Object.freeze({ maxTemplateLength: 4_000, maxOutputLength: 20_000, renderTimeMs: 100, memory: 2_000_000 });

export class TemplateError extends Error {}

const refuseFiles = (): never => {
  throw new TemplateError('templates cannot read files (include, render and layout are not available)');
};
const noFiles = { exists: async () => false, existsSync: () => false, readFile: async () => refuseFiles(), readFileSync: () => refuseFiles(), resolve: () => refuseFiles() };

function digitsOf(value: unknown): string {
  return String(value ?? '').replace(/\D/g, '');
}

/** `+34612345678` stays; `34612345678` (digits of an international number) gains its `+`. */
function e164(value: unknown): string {
  const text = String(value ?? '').trim();
  if (/^\+\d{6,15}$/.test(text)) return text;
  const digits = digitsOf(text);
  return /^\d{6,15}$/.test(digits) && !/[A-Za-z]/.test(text) ? `+${digits}` : text;
}

/** The national significant number (`+34 612 345 678` → `612345678`); text that is no phone number is kept. */
function national(value: unknown): string {
  const parsed = parsePhoneNumberFromString(e164(value));
  return parsed ? parsed.nationalNumber : String(value ?? '');
}

function build(outputEscape?: (value: unknown) => string): Liquid {
  const liquid = new Liquid({
    fs: noFiles,
    dynamicPartials: false,
    relativeReference: false,
    ownPropertyOnly: true,
    strictVariables: true,
    strictFilters: true,
    cache: false,
    parseLimit: TEMPLATE_LIMITS.maxTemplateLength,
    renderLimit: TEMPLATE_LIMITS.renderTimeMs,
    memoryLimit: TEMPLATE_LIMITS.memory,
    ...(outputEscape ? { outputEscape } : {}),
  });
  liquid.registerFilter('e164', e164);
  liquid.registerFilter('digits', digitsOf);
  liquid.registerFilter('national', national);
  return liquid;
}

const plain = build();
/** URL templates percent-encode every output, so `?text={{ body }}` is a valid query (`| raw` opts out). */
const forUrls = build((value) => encodeURIComponent(Array.isArray(value) ? value.join(',') : String(value ?? '')));

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/, line:\d+, col:\d+[\s\S]*$/, '').split('\n')[0]!;
}

/** Checks syntax, filters and variables without rendering. Throws TemplateError naming the problem. */
export function checkTemplate(source: string): void {
  if (source.length > TEMPLATE_LIMITS.maxTemplateLength) throw new TemplateError(`the template is ${source.length} characters; the limit is ${TEMPLATE_LIMITS.maxTemplateLength}`);
  let variables: string[];
  try {
    variables = plain.globalVariablesSync(plain.parse(source));
  } catch (error) {
    throw new TemplateError(`template error: ${describe(error)}`);
  }
  const known = new Set<string>(TEMPLATE_VARIABLES);
  const unknown = variables.filter((name) => !known.has(name));
  if (unknown.length > 0) throw new TemplateError(`unknown variable${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')} (use ${TEMPLATE_VARIABLES.join(', ')})`);
}

function bounded(text: string): string {
  if (text.length > TEMPLATE_LIMITS.maxOutputLength) throw new TemplateError(`the rendered text is ${text.length} characters; the limit is ${TEMPLATE_LIMITS.maxOutputLength}`);
  return text;
}

export async function renderText(source: string, scope: TemplateScope, options: { url?: boolean } = {}): Promise<string> {
  checkTemplate(source);
  const liquid = options.url ? forUrls : plain;
  try {
    return bounded(String(await liquid.parseAndRender(source, scope, { renderLimit: TEMPLATE_LIMITS.renderTimeMs, memoryLimit: TEMPLATE_LIMITS.memory })));
  } catch (error) {
    if (error instanceof TemplateError) throw error;
    throw new TemplateError(`template error: ${describe(error)}`);
  }
}

const SINGLE_OUTPUT = /^\s*\{\{-?\s*([^{}]+?)\s*-?\}\}\s*$/;

/**
 * Renders a JSON body template: every string leaf is a template; a leaf that is exactly one
 * `{{ … }}` keeps its value's type, so `"{{ media_urls }}"` becomes an array.
 */
export async function renderJson(template: unknown, scope: TemplateScope, depth = 0): Promise<unknown> {
  if (depth > 10) throw new TemplateError('the body template is nested more than 10 levels');
  if (typeof template === 'string') {
    const single = SINGLE_OUTPUT.exec(template);
    if (single) {
      checkTemplate(template);
      try {
        const value: unknown = await plain.evalValue(single[1]!, scope);
        return typeof value === 'string' ? bounded(value) : value ?? null;
      } catch (error) {
        throw new TemplateError(`template error: ${describe(error)}`);
      }
    }
    return renderText(template, scope);
  }
  if (Array.isArray(template)) return Promise.all(template.map((item) => renderJson(item, scope, depth + 1)));
  if (template !== null && typeof template === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(template)) out[key] = await renderJson(value, scope, depth + 1);
    return out;
  }
  return template;
}

/** Calls `check` on every string leaf of a JSON template with its dotted location. */
export function eachTemplateLeaf(template: unknown, location: string, check: (source: string, location: string) => void, depth = 0): void {
  if (depth > 10) throw new TemplateError(`${location}: nested more than 10 levels`);
  if (typeof template === 'string') return check(template, location);
  if (Array.isArray(template)) return template.forEach((item, index) => eachTemplateLeaf(item, `${location}[${index}]`, check, depth + 1));
  if (template !== null && typeof template === 'object') {
    for (const [key, value] of Object.entries(template)) eachTemplateLeaf(value, `${location}.${key}`, check, depth + 1);
  }
}

export const numberFilters = { e164, digits: digitsOf, national };
