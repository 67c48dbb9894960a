/**
 * The data a message template sees (F24): the contact matched to the recipient (`contact.name`,
 * `contact.first_name`, `contact.last_name`, `contact.phone`, `contact.fields.*`), the sender
 * (`user.name`), the organisation (`tenant.name`), plus caller-supplied variables.
 */
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { routingDb } from '../routing/tables.js';
import type { TemplateData } from './render.js';

export const RESERVED_VARIABLES = ['contact', 'user', 'tenant', 'message'] as const;
const MAX_VARIABLES = 50;
const MAX_VARIABLE_LENGTH = 1000;

export type Variables = Record<string, string | number | boolean | null>;

/** Validates caller-supplied variables: flat scalars, bounded, no reserved names. */
export function checkVariables(raw: Record<string, unknown> | undefined): Variables {
  if (!raw) return {};
  const entries = Object.entries(raw);
  if (entries.length > MAX_VARIABLES) throw new AppError('validation_error', `variables has ${entries.length} entries; at most ${MAX_VARIABLES}`);
  const out: Variables = {};
  for (const [name, value] of entries) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) throw new AppError('validation_error', `variables: "${name.slice(0, 70)}" is not a variable name (letters, digits, _)`);
    if ((RESERVED_VARIABLES as readonly string[]).includes(name)) throw new AppError('validation_error', `variables: "${name}" is filled by Switchboard; pick another name`);
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) throw new AppError('validation_error', `variables.${name} must be a string, number, boolean or null`);
    if (typeof value === 'string' && (value.length > MAX_VARIABLE_LENGTH || value.includes('\u0000'))) {
      throw new AppError('validation_error', `variables.${name} must be at most ${MAX_VARIABLE_LENGTH} characters without NUL`);
    }
    out[name] = value as Variables[string];
  }
  return out;
}

/** Builds the data for one recipient; a recipient with no contact gets an empty `contact`. */
export async function buildTemplateData(ctx: AppContext, input: { tenantId: string; userId: string | null; recipient: string | null; variables?: Variables }): Promise<TemplateData> {
  const tenant = await ctx.db.selectFrom('tenants').select('name').where('id', '=', input.tenantId).executeTakeFirst();
  const user = input.userId ? await ctx.db.selectFrom('users').select('name').where('tenant_id', '=', input.tenantId).where('id', '=', input.userId).executeTakeFirst() : undefined;
  const contact = input.recipient
    ? await routingDb(ctx.db)
        .selectFrom('contact_phones')
        .innerJoin('contacts', 'contacts.id', 'contact_phones.contact_id')
        .select(['contacts.id', 'contacts.name', 'contacts.fields', 'contacts.tags'])
        .where('contact_phones.tenant_id', '=', input.tenantId)
        .where('contact_phones.phone', '=', input.recipient)
        .orderBy('contacts.created_at')
        .executeTakeFirst()
    : undefined;
  return {
    ...input.variables,
    contact: contact ? contactData(contact, input.recipient) : { phone: input.recipient ?? '', fields: {} },
    user: { name: user?.name ?? '' },
    tenant: { name: tenant?.name ?? '' },
  };
}

export function contactData(contact: { id: string; name: string; fields: string; tags: string }, phone: string | null): Record<string, unknown> {
  const [first = '', ...rest] = contact.name.trim().split(/\s+/);
  return { id: contact.id, name: contact.name, first_name: first, last_name: rest.join(' '), phone: phone ?? '', fields: JSON.parse(contact.fields) as Record<string, unknown>, tags: JSON.parse(contact.tags) as string[] };
}
