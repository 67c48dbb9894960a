/** The organisation's settings (F18, F25): name, time zone, default country, send-later presets, HELP and opt-out texts, retention. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { AppError } from '../../../errors.js';
import { requireAdmin } from '../../../plugins/auth.js';
import { auditSource, diffChanges, recordAudit } from '../../../services/audit.js';
import { getComplianceSettings, type ComplianceSettings } from '../../../services/routing/tables.js';
import { checkCountry, checkPresets, checkTimeZone, getGeneralSettings, MAX_PRESETS, readSettingsJson, resolvePreset, writeGeneralSettings, type GeneralSettings } from '../../../services/tenant-settings.js';
import { ErrorSchema } from './paging.js';

const Preset = Type.Object(
  {
    label: Type.String({ minLength: 1, maxLength: 60 }),
    minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 * 24 * 60 })),
    time: Type.Optional(Type.String({ maxLength: 5 })),
    dayOffset: Type.Optional(Type.Integer({ minimum: 0, maximum: 60 })),
    weekday: Type.Optional(Type.Integer({ minimum: 0, maximum: 6 })),
  },
  { additionalProperties: false },
);
const Text = Type.String({ minLength: 1, maxLength: 1000 });
const UpdateTenant = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    defaultCountry: Type.Optional(Type.Union([Type.String({ minLength: 2, maxLength: 2 }), Type.Null()])),
    sendLaterPresets: Type.Optional(Type.Array(Preset, { maxItems: MAX_PRESETS })),
    helpText: Type.Optional(Text),
    optOutReply: Type.Optional(Text),
    optInReply: Type.Optional(Text),
    auditRetentionDays: Type.Optional(Type.Integer({ minimum: 7, maximum: 3650 })),
    documentLinkDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })),
  },
  { additionalProperties: false },
);

function serialize(tenant: { id: string; name: string }, general: GeneralSettings, compliance: ComplianceSettings) {
  const at = new Date();
  return {
    id: tenant.id,
    name: tenant.name,
    timeZone: general.timeZone,
    defaultCountry: general.defaultCountry,
    sendLaterPresets: general.sendLaterPresets.map((preset) => ({ ...preset, nextAt: resolvePreset(preset, general.timeZone, at).toISOString() })),
    helpText: compliance.helpText,
    optOutReply: compliance.optOutReply,
    optInReply: compliance.optInReply,
    auditRetentionDays: general.auditRetentionDays,
    documentLinkDays: general.documentLinkDays,
  };
}

export async function tenantRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const load = async (tenantId: string) => {
    const tenant = await ctx.db.selectFrom('tenants').select(['id', 'name']).where('id', '=', tenantId).executeTakeFirstOrThrow();
    return { tenant, general: await getGeneralSettings(ctx.db, tenantId), compliance: await getComplianceSettings(ctx.db, tenantId) };
  };

  // Everyone signed in reads it: compose needs the presets (with their next times) and the default country.
  app.get('/tenant', { schema: { tags: ['tenant'] } }, async (request) => {
    const { tenant, general, compliance } = await load(request.auth.tenantId);
    return serialize(tenant, general, compliance);
  });

  app.patch<{ Body: Static<typeof UpdateTenant> }>('/tenant', { schema: { tags: ['tenant'], body: UpdateTenant, response: { 400: ErrorSchema, 403: ErrorSchema } } }, async (request) => {
    requireAdmin(request);
    const body = request.body;
    const source = auditSource(request);
    const { tenant, general, compliance } = await load(source.tenantId);
    const name = body.name?.trim();
    if (body.name !== undefined && (!name || name.includes('\u0000'))) throw new AppError('validation_error', 'name must not be empty or contain NUL characters');
    if (name !== undefined && name !== tenant.name && request.auth.via === 'session' && request.auth.role !== 'owner') {
      throw new AppError('owner_required', 'only an owner can rename the organisation', { statusCode: 403 });
    }
    for (const field of ['helpText', 'optOutReply', 'optInReply'] as const) {
      if (body[field] !== undefined && (!body[field]!.trim() || body[field]!.includes('\u0000'))) throw new AppError('validation_error', `${field} must not be empty or contain NUL characters`);
    }
    const nextGeneral: GeneralSettings = {
      ...general,
      ...(body.timeZone !== undefined ? { timeZone: checkTimeZone(body.timeZone) } : {}),
      ...(body.defaultCountry !== undefined ? { defaultCountry: body.defaultCountry === null ? null : checkCountry(body.defaultCountry) } : {}),
      ...(body.sendLaterPresets !== undefined ? { sendLaterPresets: checkPresets(body.sendLaterPresets) } : {}),
      ...(body.auditRetentionDays !== undefined ? { auditRetentionDays: body.auditRetentionDays } : {}),
      ...(body.documentLinkDays !== undefined ? { documentLinkDays: body.documentLinkDays } : {}),
    };
    const nextCompliance: ComplianceSettings = {
      ...compliance,
      ...(body.helpText !== undefined ? { helpText: body.helpText.trim() } : {}),
      ...(body.optOutReply !== undefined ? { optOutReply: body.optOutReply.trim() } : {}),
      ...(body.optInReply !== undefined ? { optInReply: body.optInReply.trim() } : {}),
    };
    const nextName = name ?? tenant.name;
    await ctx.db.transaction().execute(async (trx) => {
      if (nextName !== tenant.name) await trx.updateTable('tenants').set({ name: nextName }).where('id', '=', tenant.id).execute();
      await writeGeneralSettings(trx, tenant.id, nextGeneral);
      const settings = await readSettingsJson(trx, tenant.id);
      settings.compliance = nextCompliance;
      await trx.updateTable('tenants').set({ settings: JSON.stringify(settings) }).where('id', '=', tenant.id).execute();
      const changes = diffChanges({ name: tenant.name, ...general, helpText: compliance.helpText, optOutReply: compliance.optOutReply, optInReply: compliance.optInReply }, { name: nextName, ...nextGeneral, helpText: nextCompliance.helpText, optOutReply: nextCompliance.optOutReply, optInReply: nextCompliance.optInReply });
      if (Object.keys(changes).length > 0) await recordAudit(trx, { ...source, action: 'tenant.updated', target: { type: 'tenant', id: tenant.id, label: nextName }, changes });
    });
    ctx.tenantSettings.changed(tenant.id);
    return serialize({ id: tenant.id, name: nextName }, nextGeneral, nextCompliance);
  });
}
