/**
 * push.mention (issue 12): a Web Push notification to the users an internal note mentions. Runs
 * as a job, like push.inbound, so a slow push service never holds back the note's request; it is
 * enqueued only when a mentioned user has a subscription.
 */
import type { AppContext } from '../context.js';
import { notesDb, parseStringList } from '../services/inbox/notes.js';
import { isPushEnabled, sendPushToUsers } from '../services/push.js';
import type { JobDefinition } from './queue.js';

export const PUSH_MENTION_JOB = 'push.mention';

export function pushMentionJob(ctx: AppContext): JobDefinition<{ noteId: string; userIds: string[] }> {
  return {
    name: PUSH_MENTION_JOB,
    maxAttempts: 3,
    concurrency: 4,
    async handle({ noteId, userIds }, { log }) {
      const note = await notesDb(ctx.db).selectFrom('conversation_notes').selectAll().where('id', '=', noteId).executeTakeFirst();
      // A note deleted before its push went out notifies nobody.
      if (!note) return;
      const mentioned = new Set(parseStringList(note.mentioned_user_ids));
      const users = await ctx.db.selectFrom('users').select(['id', 'settings']).where('tenant_id', '=', note.tenant_id).where('id', 'in', userIds.length ? userIds : ['-']).execute();
      const recipients = users.filter((user) => mentioned.has(user.id) && isPushEnabled(user)).map((user) => user.id);
      const author = note.author_id ? await ctx.db.selectFrom('users').select('name').where('id', '=', note.author_id).executeTakeFirst() : undefined;
      const preview = note.body.length > 140 ? note.body.slice(0, 139) + '…' : note.body;
      const result = await sendPushToUsers(ctx, note.tenant_id, recipients, {
        title: `${author?.name ?? 'A teammate'} mentioned you in a note`,
        body: preview,
        url: `/inbox/${encodeURIComponent(note.conversation_id)}`,
        tag: `note-${note.id}`,
      });
      log.debug({ noteId, ...result }, 'mention push sent');
    },
  };
}
