/** Wires issue 9 into the core: inbound replies join their cases. Added once per process, like routing's hooks. */
import { onInboundMessage } from '../jobs/process-inbound.job.js';
import { attachInboundToCase } from './cases.js';

let added = false;

export function registerAutomation(): void {
  if (added) return;
  added = true;
  onInboundMessage(attachInboundToCase);
}
