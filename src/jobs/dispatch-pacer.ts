/**
 * Per-number pacing at the moment a send leaves (F3). Accept-time slots space the queue, but a
 * worker that starts late (a busy node, a slow first request) would send what is due in a burst;
 * this keeps a number's sends at least 1/mps apart on this node. The slot is taken before waiting,
 * so concurrent sends from one number queue up in order.
 */
const nextDispatchAt = new Map<string, number>();

export async function paceDispatch(numberId: string | null, mps: number): Promise<void> {
  if (!numberId || !(mps > 0)) return;
  const now = Date.now();
  const at = Math.max(now, nextDispatchAt.get(numberId) ?? 0);
  nextDispatchAt.set(numberId, at + 1000 / mps);
  if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
}
