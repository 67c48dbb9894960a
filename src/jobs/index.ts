import type { AppContext } from '../context.js';
import { processInboundJob } from './process-inbound.job.js';
import { registerPushJobs } from './push-inbound.job.js';
import { pushMentionJob } from './push-mention.job.js';
import { sendMessageJob } from './send-message.job.js';
import { joinInboundPartsJob } from './join-inbound-parts.job.js';
import { registerRouting } from '../services/routing/register.js';
import { registerAutomation } from '../services/automation-register.js';
import { registerWorkflowsAndWebhooks } from '../services/automation/register.js';

/** Registers every job handler on the context's queue. */
export function registerJobs(ctx: AppContext): void {
  ctx.queue.register(sendMessageJob(ctx));
  ctx.queue.register(processInboundJob(ctx));
  ctx.queue.register(joinInboundPartsJob(ctx));
  registerRouting(ctx);
  registerAutomation();
  registerWorkflowsAndWebhooks(ctx);
  registerPushJobs(ctx);
  ctx.queue.register(pushMentionJob(ctx));
}
