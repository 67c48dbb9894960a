/** The thread says up front when its customer may not be texted (F27), instead of refusing a send. */
import { formatPhone, fullTime } from '../lib/format';
import type { OptOutState } from '../lib/types';

const HOW: Record<Extract<OptOutState, { reason: 'opted_out' }>['source'], string> = {
  keyword: 'by texting STOP',
  carrier: 'at their carrier',
  admin: 'by an admin',
  import: 'by an imported list',
};

export function optOutExplanation(state: OptOutState): string {
  if (state.reason === 'contact_disallows_sms') return `Replies are off: the contact ${state.contactName} does not allow SMS. Change "Allow SMS" on the contact to text them.`;
  return `Replies are off: ${formatPhone(state.phone)} opted out. They can text START to opt back in.`;
}

export function OptOutBanner({ state }: { state: OptOutState }) {
  return (
    <div className="notice warn opt-out-banner" role="status" data-testid="opt-out-banner">
      {state.reason === 'opted_out' ? (
        <>
          <strong>{formatPhone(state.phone)} opted out</strong> of {state.scope === 'tenant' ? 'every number of this organisation' : 'this number'} {HOW[state.source]} on {fullTime(state.since)}.
        </>
      ) : (
        <>
          <strong>{state.contactName} does not allow SMS</strong> ({formatPhone(state.phone)}).
        </>
      )}
    </div>
  );
}
