/**
 * What POST /messages adds before the core send (F20, F23, F24): the body rendered from a
 * template for the recipient, the case token, and document links, so the stored body and its
 * segment count are exactly what is sent. Links to the case and documents are written in the
 * message's own transaction (SendInput.afterInsert).
 */
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { caseTokenSuffix, findCase, linkOutboundToCase } from './cases.js';
import { bindDocuments, documentLinkDays, documentsToAttach, documentUrl } from './documents.js';
import { findSendingNumber, recipientsOf, type SendInput } from './send-message.js';
import { isExtension } from './routing/internal-message.js';
import { tenantDefaultCountry } from './tenant-settings.js';
import { buildTemplateData, checkVariables } from './templates/data.js';
import { emptyVariablesError, renderTemplate } from './templates/render.js';
import { findTemplate } from './templates/store.js';

export interface ComposeExtras {
  templateId?: string;
  variables?: Record<string, unknown>;
  caseId?: string;
  documents?: Array<{ id: string }>;
}

export async function composeOutbound(ctx: AppContext, input: SendInput, extras: ComposeExtras): Promise<SendInput> {
  const { templateId, caseId } = extras;
  const documentIds = (extras.documents ?? []).map((d) => d.id);
  if (!templateId && !caseId && documentIds.length === 0) {
    if (extras.variables) throw new AppError('validation_error', 'variables are only used with templateId');
    return input;
  }
  if (input.idempotencyKey) {
    // A repeated request answers with the first message (acceptMessage); its documents are already bound.
    const existing = await ctx.db.selectFrom('messages').select('id').where('tenant_id', '=', input.tenantId).where('idempotency_key', '=', input.idempotencyKey).executeTakeFirst();
    if (existing) return input;
  }
  if (isExtension(input.from)) throw new AppError('validation_error', 'templates, cases and documents are for messages to phone numbers, not internal extension messages');
  const number = await findSendingNumber(ctx, input.tenantId, input.from);
  const recipients = recipientsOf(input, await tenantDefaultCountry(ctx, input.tenantId, number.default_country));
  let body = input.body ?? '';
  let media = input.media;

  if (templateId) {
    if (body) throw new AppError('validation_error', 'give either body or templateId, not both');
    const template = await findTemplate(ctx.db, input.tenantId, templateId);
    const data = await buildTemplateData(ctx, { tenantId: input.tenantId, userId: input.userId ?? null, recipient: recipients.length === 1 ? recipients[0]! : null, variables: checkVariables(extras.variables) });
    const rendered = await renderTemplate(template.body, data);
    if (rendered.emptyVariables.length > 0) throw emptyVariablesError(rendered.emptyVariables);
    body = rendered.text.trim();
    const templateMedia = (JSON.parse(template.media_ids) as string[]).map((id) => ({ id }));
    if (templateMedia.length > 0) media = [...templateMedia, ...(media ?? [])];
  } else if (extras.variables) {
    throw new AppError('validation_error', 'variables are only used with templateId');
  }

  const caseRow = caseId ? await findCase(ctx.db, input.tenantId, caseId) : null;
  if (caseRow?.status === 'closed') throw new AppError('case_closed', `case ${caseRow.token} is closed; reopen it (PATCH /cases/${caseRow.id} {"status":"open"}) to message in it`, { statusCode: 409 });

  const documents = await documentsToAttach(ctx.db, input.tenantId, documentIds);
  for (const document of documents) body = `${body}${body ? '\n' : ''}${documentUrl(ctx.config.publicUrl, document.code)}`;
  if (caseRow) body += caseTokenSuffix(caseRow.token);
  const linkDays = documents.length > 0 ? await documentLinkDays(ctx, input.tenantId) : 0;

  const previous = input.afterInsert;
  return {
    ...input,
    body,
    media,
    afterInsert: async (trx, row) => {
      await previous?.(trx, row);
      if (caseRow) await linkOutboundToCase(trx, caseRow, row);
      await bindDocuments(trx, input.tenantId, documents.map((d) => d.id), row, linkDays);
    },
  };
}
