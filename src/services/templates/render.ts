/**
 * Template rendering (F24): Liquid (liquidjs) with strict limits. No file system (include,
 * render and layout are refused), bounded template size, render time and output length.
 * Every `{{ … }}` output that renders to nothing is reported by name, so callers can refuse to
 * send a blank instead of sending it.
 */
import { IncludeTag, LayoutTag, Liquid, LiquidError, Output, RenderTag, toValueSync, type Template } from 'liquidjs';
import { AppError } from '../../errors.js';

/** The data a template sees: `contact.*`, `contact.fields.*`, `user.name`, `tenant.name`, and (in workflows) `message.*`. */
export type TemplateData = Record<string, unknown>;

export interface RenderLimits {
  /** Longest template source accepted, in characters. */
  maxTemplateLength: number;
  /** Longest rendered text accepted, in characters. */
  maxOutputLength: number;
  /** Wall-clock budget for one render, in milliseconds. */
  renderTimeMs: number;
}

export const DEFAULT_RENDER_LIMITS: Readonly<RenderLimits> = Object.freeze({
  maxTemplateLength: 10_000,
  maxOutputLength: 10_000,
  renderTimeMs: 200,
});

export interface RenderResult {
  text: string;
  /** Expressions (e.g. `contact.first_name`) whose output was empty, in order, without duplicates. */
  emptyVariables: string[];
}

const NO_FILES = 'templates cannot include other files (include, render and layout are not available)';
const refuseFiles = () => {
  throw new AppError('template_error', NO_FILES);
};

// Made on first use: building the engine is start-up time a node may never need.
let engine: Liquid | undefined;
const liquid = (): Liquid =>
  (engine ??= new Liquid({
  fs: {
    exists: async () => false,
    existsSync: () => false,
    readFile: async () => refuseFiles(),
    readFileSync: () => refuseFiles(),
    resolve: () => refuseFiles(),
  },
  dynamicPartials: false,
  relativeReference: false,
  ownPropertyOnly: true,
  strictVariables: false,
  strictFilters: true,
  cache: false,
  parseLimit: DEFAULT_RENDER_LIMITS.maxTemplateLength,
  renderLimit: DEFAULT_RENDER_LIMITS.renderTimeMs,
  memoryLimit: 1_000_000,
  }));

/** Parses a template, throwing a 400 `template_error` that points at the problem. Used to validate on save. */
export function parseTemplate(text: string, limits: RenderLimits = DEFAULT_RENDER_LIMITS): Template[] {
  if (text.length > limits.maxTemplateLength) {
    throw new AppError('template_error', `template is ${text.length} characters; the limit is ${limits.maxTemplateLength}`);
  }
  let templates: Template[];
  try {
    templates = liquid().parse(text);
  } catch (error) {
    throw asTemplateError(error);
  }
  walk(templates, (template) => {
    if (template instanceof IncludeTag || template instanceof RenderTag || template instanceof LayoutTag) throw new AppError('template_error', NO_FILES);
  });
  return templates;
}

/**
 * Renders `text` with `data`. Throws `template_error` (400) for syntax errors, file access,
 * unknown filters and exceeded limits; empty outputs are returned in `emptyVariables`.
 */
export async function renderTemplate(text: string, data: TemplateData, limits: RenderLimits = DEFAULT_RENDER_LIMITS): Promise<RenderResult> {
  const templates = parseTemplate(text, limits);
  const empty = new Set<string>();
  watchOutputs(templates, empty);
  let rendered: string;
  try {
    rendered = String(await liquid().render(templates, data, { renderLimit: limits.renderTimeMs, memoryLimit: limits.maxOutputLength * 100 }));
  } catch (error) {
    throw asTemplateError(error);
  }
  if (rendered.length > limits.maxOutputLength) {
    throw new AppError('template_error', `the rendered text is ${rendered.length} characters; the limit is ${limits.maxOutputLength}`);
  }
  return { text: rendered, emptyVariables: [...empty] };
}

/** The 4xx to answer when a rendered template would send blanks. */
export function emptyVariablesError(names: string[]): AppError {
  return new AppError('template_variable_empty', `template variable${names.length > 1 ? 's' : ''} ${names.map((n) => `"${n}"`).join(', ')} rendered to nothing; fill ${names.length > 1 ? 'them' : 'it'} (variables, contact fields) or use a | default: filter`, {
    statusCode: 422,
    details: { variables: names },
  });
}

/** Wraps each output node (at any depth: inside if/for/case) so an empty result is recorded with its expression. */
function watchOutputs(templates: Template[], empty: Set<string>): void {
  walk(templates, (template) => {
    if (!(template instanceof Output)) return;
    const output = template;
    const expression = output.token.content.split('|')[0]!.trim();
    const render = output.render.bind(output);
    output.render = function* (ctx, emitter) {
      let written = '';
      const probe = Object.create(emitter) as typeof emitter;
      probe.write = (html: unknown) => {
        written += html === null || html === undefined ? '' : String(html);
        emitter.write(html);
      };
      yield render(ctx, probe);
      if (written.trim() === '') empty.add(expression);
    };
  });
}

/** Visits every node of a parsed template, block bodies included. */
function walk(templates: Template[], visit: (template: Template) => void): void {
  for (const template of templates) {
    visit(template);
    const children = (template as { children?: (partials: boolean, sync: boolean) => Generator<unknown, Template[]> }).children;
    if (typeof children === 'function') walk(toValueSync(children.call(template, false, true)) as Template[], visit);
  }
}

function asTemplateError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const cause = error instanceof LiquidError && error.originalError instanceof AppError ? error.originalError : null;
  if (cause) return cause;
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('template_error', `template error: ${message}`, { cause: error });
}
