/**
 * Tenant settings (F18, F25): time zone, default country, send-later presets, audit retention
 * and document-link expiry, kept under the `general` key of tenants.settings. The HELP and
 * opt-out texts stay under `compliance` (services/routing/tables.ts), which the keyword replies read.
 */
import { isSupportedCountry } from 'libphonenumber-js/min';
import type { Kysely } from 'kysely';
import type { AppContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { AppError } from '../errors.js';
import { prepared } from '../db/prepared.js';

/** A send-later choice: either `minutes` from now, or a wall-clock `time` on a day (`dayOffset` days ahead, or the next `weekday`, 0 = Sunday). */
export interface SendLaterPreset {
  label: string;
  minutes?: number;
  time?: string;
  dayOffset?: number;
  weekday?: number;
}

export interface GeneralSettings {
  timeZone: string;
  defaultCountry: string | null;
  sendLaterPresets: SendLaterPreset[];
  /** Audit entries older than this are deleted (F29). */
  auditRetentionDays: number;
  /** Document links (F20) stop working after this many days; 0 = never. */
  documentLinkDays: number;
}

export const MAX_PRESETS = 5;

export const DEFAULT_GENERAL: GeneralSettings = {
  timeZone: 'UTC',
  defaultCountry: null,
  sendLaterPresets: [
    { label: 'In 1 hour', minutes: 60 },
    { label: 'Tomorrow 9am', dayOffset: 1, time: '09:00' },
    { label: 'Monday morning', weekday: 1, time: '09:00' },
  ],
  auditRetentionDays: 365,
  documentLinkDays: 30,
};

type Executor = Kysely<Database>;

const settingsOfTenant = prepared<{ tenantId: string }>()((db, p) => db.selectFrom('tenants').select('settings').where('id', '=', p.tenantId));

export async function readSettingsJson(db: Executor, tenantId: string): Promise<Record<string, unknown>> {
  const row = await settingsOfTenant.first(db, { tenantId });
  if (!row) throw new AppError('not_found', `tenant ${tenantId} was not found`);
  try {
    const parsed = JSON.parse(row.settings) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export async function getGeneralSettings(db: Executor, tenantId: string): Promise<GeneralSettings> {
  const settings = await readSettingsJson(db, tenantId);
  return { ...DEFAULT_GENERAL, ...((settings.general as Partial<GeneralSettings> | undefined) ?? {}) };
}

/** Replaces the `general` key, leaving keys other features own untouched. Call inside a transaction. */
export async function writeGeneralSettings(trx: Executor, tenantId: string, value: GeneralSettings): Promise<void> {
  const settings = await readSettingsJson(trx, tenantId);
  settings.general = value;
  await trx.updateTable('tenants').set({ settings: JSON.stringify(settings) }).where('id', '=', tenantId).execute();
}

/** The country local numbers are read in: the number's own, else the tenant's, else DEFAULT_COUNTRY. */
export async function tenantDefaultCountry(ctx: AppContext, tenantId: string, numberCountry: string | null = null): Promise<string | null> {
  if (numberCountry) return numberCountry;
  return (await ctx.tenantSettings.get(tenantId)).defaultCountry ?? ctx.config.defaultCountry;
}

export function checkTimeZone(timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    throw new AppError('validation_error', `timeZone "${timeZone.slice(0, 60)}" is not an IANA time zone such as Europe/London or America/New_York`);
  }
}

export function checkCountry(country: string): string {
  const upper = country.toUpperCase();
  if (!/^[A-Z]{2}$/.test(upper) || !isSupportedCountry(upper)) throw new AppError('validation_error', `defaultCountry "${country.slice(0, 10)}" is not a two-letter country code with phone numbering, such as US or GB`);
  return upper;
}

export function checkPresets(presets: SendLaterPreset[]): SendLaterPreset[] {
  if (presets.length > MAX_PRESETS) throw new AppError('validation_error', `sendLaterPresets has ${presets.length} entries; at most ${MAX_PRESETS}`);
  return presets.map((preset, index) => {
    const where = `sendLaterPresets[${index}]`;
    const label = preset.label.trim();
    if (!label || label.includes('\u0000')) throw new AppError('validation_error', `${where}.label must not be empty or contain NUL characters`);
    if (preset.minutes !== undefined) {
      if (preset.time !== undefined || preset.dayOffset !== undefined || preset.weekday !== undefined) throw new AppError('validation_error', `${where}: give either minutes, or time with dayOffset or weekday`);
      return { label, minutes: preset.minutes };
    }
    if (!preset.time || !/^([01]\d|2[0-3]):[0-5]\d$/.test(preset.time)) throw new AppError('validation_error', `${where}.time must be HH:MM (24-hour), e.g. 09:00`);
    if ((preset.dayOffset === undefined) === (preset.weekday === undefined)) throw new AppError('validation_error', `${where}: give exactly one of dayOffset (days ahead) or weekday (0 = Sunday … 6 = Saturday)`);
    return preset.weekday !== undefined ? { label, time: preset.time, weekday: preset.weekday } : { label, time: preset.time, dayOffset: preset.dayOffset! };
  });
}

/** The moment a preset means now, in the tenant's time zone; a time already past today moves to the next day. */
export function resolvePreset(preset: SendLaterPreset, timeZone: string, at: Date = new Date()): Date {
  if (preset.minutes !== undefined) return new Date(at.getTime() + preset.minutes * 60_000);
  const local = wallClock(at, timeZone);
  const [hour, minute] = preset.time!.split(':').map(Number) as [number, number];
  let days = preset.weekday !== undefined ? (preset.weekday - local.weekday + 7) % 7 || 7 : preset.dayOffset!;
  for (;;) {
    const candidate = fromWallClock(local.year, local.month, local.day + days, hour, minute, timeZone);
    if (candidate.getTime() > at.getTime()) return candidate;
    days += preset.weekday !== undefined ? 7 : 1;
  }
}

function wallClock(at: Date, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; weekday: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short' })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday!);
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute), weekday };
}

/** The UTC instant of a wall-clock time in `timeZone` (month 1-based; day may overflow, Date.UTC normalises it). */
function fromWallClock(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): Date {
  const wanted = Date.UTC(year, month - 1, day, hour, minute);
  let guess = wanted;
  // Two passes settle the offset across a DST change.
  for (let i = 0; i < 2; i++) {
    const seen = wallClock(new Date(guess), timeZone);
    guess += wanted - Date.UTC(seen.year, seen.month - 1, seen.day, seen.hour, seen.minute);
  }
  return new Date(guess);
}
