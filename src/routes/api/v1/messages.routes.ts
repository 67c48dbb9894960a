/** Messages: send (202), one with its history, and the logs with filters, paging and CSV (F22). */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.js';
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Database, MessageTable } from '../../../db/schema.js';
import { conversationContains, matchWords } from '../../../db/text-search.js';
import { AppError, notFound } from '../../../errors.js';
import { toE164 } from '../../../lib/phone.js';
import { accessScope, canSeeConversation, INTERNAL_NUMBER, internalThreadPattern, type AccessScope } from '../../../services/access.js';
import { acceptMessage } from '../../../services/send-message.js';
import { composeOutbound } from '../../../services/compose-outbound.js';
import { serializeMessage, serializeMessages, type ApiMessage } from '../../../services/serialize.js';
import { containsDigits, phoneDigits, statusList } from '../../../services/inbox/phone-search.js';
import { decodeCursor, mergeNewest, page, PagingQuery, type CursorKey } from './paging.js';
import { writeHijackedHead } from '../../../plugins/security-headers.js';

/** One way a message can match the text search `q`. */
type SearchMatch = (eb: ExpressionBuilder<Database, 'messages'>) => Expression<SqlBool>;
const messageKey = (row: MessageTable): CursorKey => ({ at: row.created_at, id: row.id });

const MediaItem = Type.Union([
  Type.Object({ url: Type.String({ minLength: 1, maxLength: 2000, pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^\\s]+$', description: 'an http(s) URL' }) }, { additionalProperties: false }),
  Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
]);
export const SendBody = Type.Object(
  {
    from: Type.String({ minLength: 1, maxLength: 40 }),
    to: Type.Union([Type.String({ minLength: 1, maxLength: 40 }), Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { minItems: 1, maxItems: 10 })]),
    body: Type.Optional(Type.String({ maxLength: 10_000 })),
    media: Type.Optional(Type.Array(MediaItem, { maxItems: 10 })),
    sendAt: Type.Optional(Type.String({ format: 'date-time' })),
    templateId: Type.Optional(Type.String({ maxLength: 100 })),
    variables: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    caseId: Type.Optional(Type.String({ maxLength: 100 })),
    documents: Type.Optional(Type.Array(Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }), { maxItems: 5 })),
  },
  { additionalProperties: false },
);
const Direction = Type.Union([Type.Literal('inbound'), Type.Literal('outbound')]);
const ListQuery = Type.Object(
  {
    ...PagingQuery,
    direction: Type.Optional(Direction),
    /** One status or a comma-separated list (`failed,undelivered`). */
    status: Type.Optional(Type.String({ maxLength: 100 })),
    number: Type.Optional(Type.String({ maxLength: 40 })),
    provider: Type.Optional(Type.String({ maxLength: 40 })),
    q: Type.Optional(Type.String({ maxLength: 200 })),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
    conversationId: Type.Optional(Type.String({ maxLength: 100 })),
    format: Type.Optional(Type.Literal('csv')),
  },
  { additionalProperties: false },
);
type ListQuery = Static<typeof ListQuery>;

const CSV_COLUMNS = ['id', 'createdAt', 'direction', 'from', 'to', 'status', 'encoding', 'segments', 'providerType', 'providerMessageId', 'errorCode', 'errorMessage', 'body', 'mediaCount'] as const;

function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  // Cells starting with = + - @ would run as formulas in spreadsheets.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvRow(message: ApiMessage): string {
  const values: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    id: message.id,
    createdAt: message.createdAt,
    direction: message.direction,
    from: message.from,
    to: Array.isArray(message.to) ? message.to.join(' ') : message.to,
    status: message.status,
    encoding: message.encoding,
    segments: message.segments,
    providerType: message.providerType,
    providerMessageId: message.providerMessageId,
    errorCode: message.error?.code,
    errorMessage: message.error?.message,
    body: message.body,
    mediaCount: message.media.length,
  };
  return CSV_COLUMNS.map((column) => csvCell(values[column])).join(',');
}

export async function messageRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  app.post<{ Body: Static<typeof SendBody> }>('/messages', { schema: { tags: ['messages'], body: SendBody } }, async (request, reply) => {
    const idempotencyKey = request.headers['idempotency-key'];
    if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || idempotencyKey.length > 200)) {
      throw new AppError('validation_error', 'Idempotency-Key must be one header of at most 200 characters');
    }
    const { templateId, variables, caseId, documents, ...fields } = request.body;
    const input = await composeOutbound(ctx, { ...fields, tenantId: request.auth.tenantId, userId: request.auth.userId, idempotencyKey, auth: request.auth }, { templateId, variables, caseId, documents });
    const row = await acceptMessage(ctx, input);
    return reply.status(202).send({ id: row.id, status: row.status, encoding: row.encoding, segments: row.segments, conversationId: row.conversation_id });
  });

  app.get<{ Params: { id: string } }>('/messages/:id', { schema: { tags: ['messages'] } }, async (request) => {
    const row = await ctx.db.selectFrom('messages').selectAll().where('tenant_id', '=', request.auth.tenantId).where('id', '=', request.params.id).executeTakeFirst();
    const conversation = row ? await ctx.db.selectFrom('conversations').select(['number_id', 'our_number', 'remote_numbers']).where('id', '=', row.conversation_id).executeTakeFirst() : undefined;
    if (!row || !conversation || !canSeeConversation(await accessScope(ctx, request.auth), conversation)) throw notFound('message', request.params.id);
    return serializeMessage(ctx.db, ctx.media, row);
  });

  app.get<{ Querystring: ListQuery }>('/messages', { schema: { tags: ['messages'], querystring: ListQuery } }, async (request, reply) => {
    const csv = request.query.format === 'csv' || /text\/csv/.test(request.headers.accept ?? '');
    if (csv) return exportCsv(request, reply);
    return listMessages(request, request.query.limit ?? 50);
  });

  /**
   * The text search `q` as alternatives, each run as its own query and the pages merged: the words
   * in the body, and for a phone-looking `q` the conversations with that number. One OR of the two
   * would walk every message whenever both are rare, which a number search always is.
   */
  async function searchAlternatives(request: FastifyRequest<{ Querystring: ListQuery }>): Promise<Array<SearchMatch | null>> {
    const text = request.query.q;
    if (!text) return [null];
    const tenantId = request.auth.tenantId;
    const words = await matchWords(ctx.db, ctx.store.dialect, tenantId, text);
    const digits = phoneDigits(text);
    if (!digits) return [() => words.message];
    return [
      () => words.message,
      (eb) => eb('conversation_id', 'in', eb.selectFrom('conversations').select('id').where('tenant_id', '=', tenantId).where(conversationContains(ctx.store.dialect, ['remote_key', 'our_number'], digits))),
    ];
  }

  function filtered(request: FastifyRequest<{ Querystring: ListQuery }>, access: AccessScope, search: SearchMatch | null) {
    const q = request.query;
    const tenantId = request.auth.tenantId;
    let query = ctx.db.selectFrom('messages').selectAll().where('tenant_id', '=', tenantId);
    const visible = access.numberIds;
    const extension = access.extension;
    if (visible) {
      // An agent sees the traffic of their numbers and the internal threads they take part in (F13, F15).
      query = query.where((eb) =>
        eb.or([
          eb('number_id', 'in', visible.length ? visible : ['-']),
          ...(extension
            ? [eb('conversation_id', 'in', eb.selectFrom('conversations').select('id').where('tenant_id', '=', tenantId).where('our_number', '=', INTERNAL_NUMBER).where('remote_numbers', 'like', internalThreadPattern(extension)))]
            : []),
        ]),
      );
    }
    if (q.direction) query = query.where('direction', '=', q.direction);
    if (q.status) {
      const statuses = statusList(q.status);
      query = query.where('status', 'in', statuses.length ? statuses : ['-']);
    }
    if (q.provider) query = query.where('provider_type', '=', q.provider);
    if (q.conversationId) query = query.where('conversation_id', '=', q.conversationId);
    if (q.number) {
      const number = toE164(q.number, ctx.config.defaultCountry);
      const digits = phoneDigits(q.number);
      if (number) query = query.where((eb) => eb.or([eb('from_number', '=', number), eb('to_numbers', 'like', `%"${number}"%`)]));
      // Part of a number ("555 98", "987-6543") matches every number holding those digits.
      else if (digits) query = query.where((eb) => eb.or([containsDigits('from_number', digits), containsDigits('to_numbers', digits)]));
      else query = query.where((eb) => eb.or([eb('from_number', '=', q.number!), eb('to_numbers', 'like', `%${JSON.stringify(q.number)}%`)]));
    }
    if (search) query = query.where(search);
    if (q.since) query = query.where('created_at', '>=', new Date(q.since).toISOString());
    if (q.until) query = query.where('created_at', '<', new Date(q.until).toISOString());
    return query;
  }

  /** The newest `count` messages after `cursor` matching the filters and any of the search alternatives. */
  async function newest(request: FastifyRequest<{ Querystring: ListQuery }>, access: AccessScope, alternatives: Array<SearchMatch | null>, cursor: CursorKey | null, count: number) {
    const lists = await Promise.all(
      alternatives.map((search) => {
        let query = filtered(request, access, search);
        if (cursor) query = query.where((eb) => eb.or([eb('created_at', '<', cursor.at), eb.and([eb('created_at', '=', cursor.at), eb('id', '<', cursor.id)])]));
        return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(count).execute();
      }),
    );
    return mergeNewest(lists, count, messageKey);
  }

  async function listMessages(request: FastifyRequest<{ Querystring: ListQuery }>, limit: number) {
    const visible = await accessScope(ctx, request.auth);
    const alternatives = await searchAlternatives(request);
    const rows = await newest(request, visible, alternatives, decodeCursor(request.query.cursor), limit + 1);
    const result = page(rows, limit, messageKey);
    const body: { items: ApiMessage[]; nextCursor: string | null; total?: number } = { items: await serializeMessages(ctx.db, ctx.media, result.items), nextCursor: result.nextCursor };
    if (request.query.total) {
      const anyAlternative: SearchMatch | null = alternatives.every(Boolean) ? (eb) => eb.or(alternatives.map((match) => match!(eb))) : null;
      const count = await filtered(request, visible, anyAlternative).clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      body.total = Number(count.n);
    }
    return body;
  }


  async function exportCsv(request: FastifyRequest<{ Querystring: ListQuery }>, reply: import('fastify').FastifyReply) {
    const visible = await accessScope(ctx, request.auth);
    reply.hijack();
    writeHijackedHead(reply, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="messages-${new Date().toISOString().slice(0, 10)}.csv"` });
    reply.raw.write(CSV_COLUMNS.join(',') + '\n');
    const alternatives = await searchAlternatives(request);
    let cursor: CursorKey | null = null;
    // Streams in pages so an export of millions of rows keeps memory flat.
    for (;;) {
      const rows = await newest(request, visible, alternatives, cursor, 1000);
      if (rows.length === 0) break;
      for (const message of await serializeMessages(ctx.db, ctx.media, rows)) reply.raw.write(csvRow(message) + '\n');
      const last = rows[rows.length - 1]!;
      cursor = { at: last.created_at, id: last.id };
      if (rows.length < 1000) break;
    }
    reply.raw.end();
    return reply;
  }
}
