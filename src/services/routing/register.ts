/**
 * Wires routing, permissions and compliance into the core: send guards (permissions before
 * opt-outs), the inbound handler and the email job. Hooks are process-wide, so they are added
 * once however many app contexts a process builds (tests build one per file).
 */
import type { AppContext } from '../../context.js';
import { onInboundMessage } from '../../jobs/process-inbound.job.js';
import { addSendGuard } from '../send-message.js';
import { emailCopyJob } from './email-copy.js';
import { handleInboundMessage } from './inbound.js';
import { optOutGuard } from './opt-outs.js';
import { sendPermissionGuard } from './permissions.js';

let guardsAdded = false;
let inboundAdded = false;

/** Called by the API routes and by registerRouting: whoever builds an app gets the guards. */
export function addRoutingSendGuards(): void {
  if (guardsAdded) return;
  guardsAdded = true;
  addSendGuard(sendPermissionGuard);
  addSendGuard(optOutGuard);
}

export function registerRouting(ctx: AppContext): void {
  ctx.queue.register(emailCopyJob(ctx));
  addRoutingSendGuards();
  if (inboundAdded) return;
  inboundAdded = true;
  onInboundMessage(handleInboundMessage);
}
