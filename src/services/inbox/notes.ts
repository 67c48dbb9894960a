/**
 * Private notes in a conversation thread (issue 12): a team member's remark stored next to the
 * messages, never handed to a provider. `@handle` mentions name team members by the local part
 * of their email or by their name without spaces; a mention of someone who cannot see the
 * conversation is refused rather than leaking the thread to them.
 */
import type { AppContext } from '../../context.js';
import type { Db } from '../../db/client.js';
import type { ConversationTable } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { canSeeConversation, isRoutedTo, parseDestinations } from '../access.js';

export interface NoteTable {
  id: string;
  tenant_id: string;
  conversation_id: string;
  author_id: string | null;
  body: string;
  /** JSON list of user ids. */
  mentioned_user_ids: string;
  created_at: string;
}

/** The base schema does not know this table (migration 0012_notes adds it). */
export function notesDb(db: Db) {
  return db.withTables<{ conversation_notes: NoteTable }>();
}

export const NOTE_MAX_LENGTH = 4000;

/** Refuses an empty, NUL-carrying or over-long body; returns it trimmed. */
export function checkNoteBody(body: string): string {
  if (body.includes('\u0000')) throw new AppError('validation_error', 'body contains a NUL character (\\u0000); remove it');
  const trimmed = body.trim();
  if (!trimmed) throw new AppError('validation_error', 'body is empty; write the note text');
  if (trimmed.length > NOTE_MAX_LENGTH) throw new AppError('validation_error', `body is ${trimmed.length} characters; a note holds at most ${NOTE_MAX_LENGTH}`);
  return trimmed;
}

/** `@handle` tokens, lower-cased and unique. An `@` inside a word (an email address) is not a mention. */
export function mentionHandles(body: string): string[] {
  const handles = new Set<string>();
  for (const match of body.matchAll(/(?<![\p{L}\p{N}_.@-])@([\p{L}\p{N}_][\p{L}\p{N}_.+-]{0,63})/gu)) {
    handles.add(match[1]!.replace(/[.+-]+$/, '').toLowerCase());
  }
  return [...handles];
}

export interface TeamMember {
  id: string;
  name: string;
  email: string;
  settings: string;
  /** Whether this user may see the conversation (access.ts rules). */
  canSee: boolean;
}

/** A user's email local part, the handle that is tried first. */
export function handleOf(user: Pick<TeamMember, 'email'>): string {
  return user.email.split('@')[0]!.toLowerCase();
}

const compactName = (user: Pick<TeamMember, 'name'>) => user.name.replace(/\s+/g, '').toLowerCase();

/** The handle the composer inserts: the email local part, or the name without spaces when a colleague shares that local part. */
export function mentionHandleOf(user: Pick<TeamMember, 'id' | 'email' | 'name'>, team: Array<Pick<TeamMember, 'id' | 'email' | 'name'>>): string {
  const local = handleOf(user);
  if (!team.some((other) => other.id !== user.id && handleOf(other) === local)) return local;
  const name = compactName(user);
  return /^[\p{L}\p{N}_][\p{L}\p{N}_.+-]*$/u.test(name) ? name : local;
}

/** Every user of the tenant, with whether they may see `conversation`; two queries whatever the team size. */
export async function teamWithAccess(ctx: AppContext, tenantId: string, conversation: Pick<ConversationTable, 'number_id' | 'our_number' | 'remote_numbers'>): Promise<TeamMember[]> {
  const users = await ctx.db.selectFrom('users').select(['id', 'name', 'email', 'role', 'extension', 'group_ids', 'caller_ids', 'settings']).where('tenant_id', '=', tenantId).orderBy('name').execute();
  const needsNumbers = users.some((user) => user.role === 'agent');
  const numbers = needsNumbers ? await ctx.db.selectFrom('numbers').select(['id', 'number', 'destinations']).where('tenant_id', '=', tenantId).where('system_notification', '=', 0).execute() : [];
  return users.map((user) => {
    let canSee = true;
    if (user.role === 'agent') {
      const callerIds = parseStringList(user.caller_ids);
      const numberIds = numbers.filter((number) => isRoutedTo(user, parseDestinations(number.destinations)) || callerIds.includes(number.number)).map((number) => number.id);
      canSee = canSeeConversation({ numberIds, extension: user.extension }, conversation);
    }
    return { id: user.id, name: user.name, email: user.email, settings: user.settings, canSee };
  });
}

/**
 * The users a body mentions. A handle matches a user's email local part first, then their name
 * with spaces removed; a handle matching nobody is plain text ("@3pm"). Refuses a handle that
 * matches several users or a user who cannot see the conversation, naming them.
 */
export function resolveMentions(body: string, team: TeamMember[]): string[] {
  const ids = new Set<string>();
  for (const handle of mentionHandles(body)) {
    let matches = team.filter((user) => handleOf(user) === handle);
    if (matches.length === 0) matches = team.filter((user) => compactName(user) === handle);
    if (matches.length === 0) continue;
    if (matches.length > 1) {
      // Names, not emails: agents may not know their colleagues' addresses.
      throw new AppError('ambiguous_mention', `@${handle} matches ${matches.length} team members (${matches.map((u) => u.name).join(', ')}); pick one from the list offered after @`, { statusCode: 422 });
    }
    const user = matches[0]!;
    if (!user.canSee) {
      throw new AppError('mention_without_access', `@${handle} (${user.name}) cannot see this conversation, so the note was not saved; remove the mention or give them access to the number`, {
        statusCode: 422,
        details: { userId: user.id },
      });
    }
    ids.add(user.id);
  }
  return [...ids];
}

export function parseStringList(raw: string): string[] {
  try {
    const parsed = JSON.parse(raw) as unknown;
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
