/** GET /events: Server-Sent Events for the caller's tenant, filtered to the numbers it may see. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { visibleNumberIds } from '../../../services/access.js';
import type { AppEvent } from '../../../services/events.js';
import { writeHijackedHead } from '../../../plugins/security-headers.js';

export async function eventRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  // Open streams never end on their own; shutdown ends them so the server can close at once.
  const open = new Set<import('node:http').ServerResponse>();
  app.addHook('preClose', async () => {
    for (const response of open) response.end();
    open.clear();
  });

  app.get('/events', { schema: { tags: ['inbox'], description: 'Server-Sent Events: message.received, message.status, conversation.updated, note.created, note.deleted, note.mention (to the mentioned user only)' } }, async (request, reply) => {
    const { auth } = request;
    let visible = await visibleNumberIds(ctx, auth);
    let refreshedAt = Date.now();
    reply.hijack();
    writeHijackedHead(reply, 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    reply.raw.write(`retry: 2000\n: connected\n\n`);
    open.add(reply.raw);

    const send = (event: AppEvent) => {
      reply.raw.write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
    };
    const unsubscribe = ctx.events.subscribe((event) => {
      if (event.tenantId !== auth.tenantId) return;
      if (event.userIds && !event.userIds.includes(auth.userId ?? '')) return;
      if (event.userIds || !visible || (event.numberId && visible.includes(event.numberId))) {
        send(event);
        return;
      }
      // Access may have changed since the stream opened (a number routed to this agent).
      if (Date.now() - refreshedAt > 5000) {
        refreshedAt = Date.now();
        void visibleNumberIds(ctx, auth).then((ids) => {
          visible = ids;
          if (!ids || (event.numberId && ids.includes(event.numberId))) send(event);
        });
      }
    });
    const heartbeat = setInterval(() => reply.raw.write(': ping\n\n'), 15_000);
    request.raw.on('close', () => {
      open.delete(reply.raw);
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
}
