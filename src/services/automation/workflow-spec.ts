/**
 * What a workflow is (F26): its trigger, conditions and steps as JSON schemas, with the checks the
 * schema cannot express, and the pure matching rules (body glob, conditions).
 */
import { Type, type Static } from '@sinclair/typebox';
import { AppError } from '../../errors.js';

const Glob = Type.String({ maxLength: 200 });
const Id = Type.String({ minLength: 1, maxLength: 100 });
const FieldName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' });

export const TriggerSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('message.received'), Type.Literal('message.delivered')]),
    /** Case-insensitive glob on the whole body (`*` any text, `?` one character); blank matches every message. */
    bodyGlob: Type.Optional(Glob),
    /** Our numbers (ids) the message must be on; absent or empty means any. */
    numberIds: Type.Optional(Type.Array(Id, { maxItems: 100 })),
  },
  { additionalProperties: false },
);

export const ConditionSchema = Type.Object(
  {
    /** `contact.name`, `contact.first_name`, `contact.tags`, `contact.fields.<name>`, `message.body`, `message.from`, `message.to`. */
    field: Type.String({ minLength: 1, maxLength: 100, pattern: '^(contact\\.(name|first_name|last_name|phone|tags|fields\\.[A-Za-z_][A-Za-z0-9_]*)|message\\.(body|from|to))$' }),
    op: Type.Union([Type.Literal('equals'), Type.Literal('not_equals'), Type.Literal('contains'), Type.Literal('not_contains'), Type.Literal('is_set'), Type.Literal('is_empty')]),
    value: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

/**
 * Send in a case (F23): `{ open: "<Liquid title>" }` opens a new case for the run's contact and
 * the conversation sent in; `"latest_open"` uses that conversation's most recently opened or
 * messaged open case, and sends without a case when it has none.
 */
export const StepCaseSchema = Type.Union([
  Type.Object({ open: Type.String({ maxLength: 300, description: 'Liquid title of the case to open' }) }, { additionalProperties: false }),
  // Only "latest_open"; checked in checkSteps, whose message says what is allowed (a literal here answers "must be equal to constant").
  Type.String({ maxLength: 40, description: '"latest_open"' }),
]);

const SendStep = Type.Object(
  {
    type: Type.Literal('send_message'),
    templateId: Type.Optional(Id),
    /** Liquid text, when no template is used. */
    text: Type.Optional(Type.String({ minLength: 1, maxLength: 1600 })),
    /** A contact field holding the phone to text; absent texts the remote number. */
    toContactField: Type.Optional(FieldName),
    /** One of our numbers; absent sends from the number of the triggering conversation. */
    from: Type.Optional(Type.String({ minLength: 2, maxLength: 40 })),
    case: Type.Optional(StepCaseSchema),
  },
  { additionalProperties: false },
);
const WaitStep = Type.Object({ type: Type.Literal('wait'), minutes: Type.Integer({ minimum: 1, maximum: 60 * 24 * 90 }) }, { additionalProperties: false });
const SetFieldStep = Type.Object({ type: Type.Literal('set_contact_field'), field: FieldName, value: Type.String({ maxLength: 1000 }) }, { additionalProperties: false });
const TagStep = Type.Object({ type: Type.Union([Type.Literal('add_tag'), Type.Literal('remove_tag')]), tag: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
const WebhookStep = Type.Object({ type: Type.Literal('http_webhook'), url: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
const StopStep = Type.Object({ type: Type.Literal('stop') }, { additionalProperties: false });

export const StepSchema = Type.Union([SendStep, WaitStep, SetFieldStep, TagStep, WebhookStep, StopStep]);

export type Trigger = Static<typeof TriggerSchema>;
export type Condition = Static<typeof ConditionSchema>;
export type Step = Static<typeof StepSchema>;
export type StepCase = Static<typeof StepCaseSchema>;

export const MAX_STEPS = 20;

/** Checks a step list beyond its schema: a send has exactly one of templateId and text. */
export function checkSteps(steps: Step[]): void {
  if (steps.length === 0) throw new AppError('validation_error', 'steps must have at least one step');
  steps.forEach((step, index) => {
    if (step.type === 'send_message' && Boolean(step.templateId) === Boolean(step.text)) {
      throw new AppError('validation_error', `steps[${index}]: a send_message step needs either templateId or text (one of them)`);
    }
    if (step.type === 'send_message' && typeof step.case === 'string' && step.case !== 'latest_open') {
      throw new AppError('validation_error', `steps[${index}].case must be "latest_open" or {"open": "<case title>"}, not "${step.case}"`);
    }
    if (step.type === 'send_message' && typeof step.case === 'object' && !step.case.open.trim()) {
      throw new AppError('validation_error', `steps[${index}].case.open: the title of the case to open must not be blank`);
    }
    if (/\u0000/.test(JSON.stringify(step))) throw new AppError('validation_error', `steps[${index}] contains a NUL character`);
  });
}

/** Case-insensitive whole-body match; `*` is any text, `?` one character, blank matches everything. */
export function globMatches(glob: string | undefined, body: string): boolean {
  const pattern = (glob ?? '').trim();
  if (!pattern) return true;
  const source = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'is').test(body.trim());
}

/** Reads `a.b.c` from the run's data. */
export function valueAt(data: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), data);
}

export function conditionHolds(condition: Condition, data: Record<string, unknown>): boolean {
  const raw = valueAt(data, condition.field);
  const values = Array.isArray(raw) ? raw.map((v) => String(v).toLowerCase()) : raw === undefined || raw === null ? [] : [String(raw).toLowerCase()];
  const wanted = (condition.value ?? '').toLowerCase();
  const isEmpty = values.length === 0 || values.every((v) => v === '');
  switch (condition.op) {
    case 'is_set':
      return !isEmpty;
    case 'is_empty':
      return isEmpty;
    case 'equals':
      return values.includes(wanted);
    case 'not_equals':
      return !values.includes(wanted);
    case 'contains':
      return values.some((v) => v.includes(wanted));
    case 'not_contains':
      return !values.some((v) => v.includes(wanted));
  }
}
