/**
 * Wires workflows and event webhooks (F26, F28) into the core, once per context: their jobs, the
 * event-bus sinks (webhook fan-out, delivered-message trigger) and the inbound-message trigger.
 */
import type { AppContext } from '../../context.js';
import { onInboundMessage } from '../../jobs/process-inbound.job.js';
import { deliverEventJob } from './event-delivery.js';
import { eventFanout } from './event-fanout.js';
import { runWorkflowJob } from './workflow-runner.js';
import { triggerOnDelivered, triggerOnInbound, triggerWorkflowsJob } from './workflow-trigger.js';

let inboundHookAdded = false;

export function registerWorkflowsAndWebhooks(ctx: AppContext): void {
  ctx.queue.register(deliverEventJob(ctx));
  ctx.queue.register(triggerWorkflowsJob(ctx));
  ctx.queue.register(runWorkflowJob(ctx));
  ctx.events.addSink(eventFanout(ctx));
  ctx.events.addSink(triggerOnDelivered(ctx));
  // Inbound handlers are per process and receive the context they run in.
  if (!inboundHookAdded) {
    inboundHookAdded = true;
    onInboundMessage(triggerOnInbound);
  }
}
