/**
 * System notifications (F12): a voicemail notice texted to the extension's user's mobile from the
 * tenant's system notification number, rendered from the tenant's Liquid template. The
 * transcription is optional and shortened (on a word boundary, with "…") so the whole text fits
 * in the template's maximum number of SMS segments.
 */
import { Liquid } from 'liquidjs';
import type { AppContext } from '../../context.js';
import type { MessageTable } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { toE164 } from '../../lib/phone.js';
import { countSegments } from '../../lib/segments.js';
import { acceptMessage } from '../send-message.js';
import { getNotificationTemplate } from './tables.js';
import { SYSTEM_SENDER } from '../inbox/message-senders.js';

// Tenant templates are untrusted: {% include %} / {% render %} find no files, only own
// properties are read, and parsing, rendering time and memory are bounded.
const NO_FILES = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file: string) => Promise.reject(new Error(`templates cannot include files (${file})`)),
  readFileSync: (file: string): string => {
    throw new Error(`templates cannot include files (${file})`);
  },
  resolve: (_dir: string, file: string) => file,
};
// Made on first use: building the engine is start-up time a node may never need.
let engine: Liquid | undefined;
const liquid = (): Liquid => (engine ??= new Liquid({ strictFilters: true, ownPropertyOnly: true, parseLimit: 20_000, renderLimit: 1_000, memoryLimit: 1_000_000, relativeReference: false, fs: NO_FILES }));

export interface VoicemailInput {
  type: 'voicemail';
  extension: string;
  callerNumber: string;
  callerName?: string;
  durationSeconds?: number;
  transcription?: string;
}

/** Parses a template, throwing 400 invalid_template with the parser's reason. */
export function checkTemplate(template: string): void {
  try {
    liquid().parse(template);
  } catch (error) {
    throw new AppError('invalid_template', `the template does not parse: ${(error as Error).message.split('\n')[0]}`);
  }
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || seconds <= 0) return '';
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds % 60);
  return minutes > 0 ? `${minutes} min${rest ? ` ${rest} s` : ''}` : `${rest} s`;
}

async function render(template: string, variables: Record<string, unknown>): Promise<string> {
  try {
    return (await liquid().parseAndRender(template, variables)).trim();
  } catch (error) {
    throw new AppError('invalid_template', `the notification template failed to render: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** Renders the text, shortening the transcription until it fits in `maxSegments` segments. */
export async function renderVoicemailText(template: string, maxSegments: number, variables: Record<string, unknown>, transcription: string): Promise<string> {
  const full = transcription.replace(/\s+/g, ' ').trim();
  const attempt = (text: string) => render(template, { ...variables, transcription: text, has_transcription: text.length > 0 });
  let body = await attempt(full);
  if (countSegments(body).segments <= maxSegments || !full) return body;
  // Binary search on the longest prefix of the transcription that fits.
  let low = 0;
  let high = full.length;
  let best = await attempt('');
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    const cut = shorten(full, middle);
    const candidate = await attempt(cut);
    if (countSegments(candidate).segments <= maxSegments) {
      best = candidate;
      low = middle;
    } else {
      high = middle - 1;
    }
  }
  body = best;
  return body;
}

function shorten(text: string, length: number): string {
  if (length >= text.length) return text;
  if (length <= 0) return '';
  const slice = text.slice(0, length);
  const space = slice.lastIndexOf(' ');
  return (space > length * 0.6 ? slice.slice(0, space) : slice).replace(/[\s,.;:!?-]+$/, '') + '…';
}

export async function sendVoicemailNotification(ctx: AppContext, tenantId: string, input: VoicemailInput): Promise<MessageTable> {
  const user = await ctx.db.selectFrom('users').select(['id', 'name', 'mobile', 'extension']).where('tenant_id', '=', tenantId).where('extension', '=', input.extension).executeTakeFirst();
  if (!user) throw new AppError('unknown_extension', `extension "${input.extension}" is not the extension of a user of this tenant`);
  if (!user.mobile) throw new AppError('no_mobile', `the user of extension ${input.extension} has no mobile number; set one under users`, { statusCode: 409 });
  const number = await ctx.db.selectFrom('numbers').selectAll().where('tenant_id', '=', tenantId).where('system_notification', '=', 1).orderBy('created_at').executeTakeFirst();
  if (!number) {
    throw new AppError('no_notification_number', 'this tenant has no system notification number; mark one number with systemNotification: true', { statusCode: 409 });
  }
  const settings = await getNotificationTemplate(ctx.db, tenantId);
  const callerNumber = toE164(input.callerNumber, number.default_country ?? ctx.config.defaultCountry) ?? input.callerNumber.trim();
  const variables = {
    type: input.type,
    extension: input.extension,
    user_name: user.name,
    caller_number: callerNumber,
    caller_name: input.callerName?.trim() ?? '',
    duration_seconds: input.durationSeconds ?? null,
    duration: formatDuration(input.durationSeconds),
  };
  const body = await renderVoicemailText(settings.template, settings.maxSegments, variables, input.transcription ?? '');
  if (!body) throw new AppError('invalid_template', 'the notification template rendered an empty text');
  return acceptMessage(ctx, { tenantId, userId: null, createdBy: SYSTEM_SENDER.notification, from: number.number, to: user.mobile, body });
}
