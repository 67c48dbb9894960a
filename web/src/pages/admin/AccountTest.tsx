/**
 * The Test action on a provider account card: one message straight through the carrier. It sends
 * from one of the account's numbers (a picker), or from a number or sender ID typed here when the
 * account has none yet — the API needs a "from", and the form used to have nowhere to give it.
 */
import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { api } from '../../lib/api';
import { formatPhone } from '../../lib/format';
import type { ProviderAccount } from '../../lib/types';
import { useFieldErrors } from '../../components/FieldErrors';
import { useNumbers } from '../Inbox';

const OTHER = 'other';
const FIELDS = ['to', 'from', 'body'];

interface TestAnswer {
  ok: boolean;
  providerMessageId?: string;
  status?: string | null;
  error?: { code: string; message: string };
}

export function AccountTest({ account }: { account: ProviderAccount }) {
  const numbers = useNumbers();
  const own = (numbers.data ?? []).filter((n) => n.providerAccountId === account.id);
  const [to, setTo] = useState('');
  const [picked, setPicked] = useState('');
  const [typed, setTyped] = useState('');
  const typing = own.length === 0 || picked === OTHER;
  const from = typing ? typed.trim() : picked || own[0]!.number;
  const test = useMutation({ mutationFn: () => api<TestAnswer>(`/provider-accounts/${account.id}/test`, { method: 'POST', body: { to, ...(from ? { from } : {}) } }) });
  const errors = useFieldErrors(test.error, test.reset, FIELDS);
  return (
    <>
      <form
        className="inline-form account-test"
        data-testid="account-test"
        onChange={errors.onChange}
        onSubmit={(e) => {
          e.preventDefault();
          test.mutate();
        }}
      >
        <label>
          Test: send to
          <input name="testTo" placeholder="+1…" value={to} onChange={(e) => setTo(e.target.value)} required {...errors.input('to')} />
          {errors.note('to')}
        </label>
        {own.length > 0 && (
          <label>
            From
            <select name="testFrom" value={picked || own[0]!.number} onChange={(e) => setPicked(e.target.value)} {...errors.input('from')}>
              {own.map((n) => (
                <option key={n.id} value={n.number}>
                  {formatPhone(n.number)}
                </option>
              ))}
              <option value={OTHER}>Another number or sender ID…</option>
            </select>
            {!typing && errors.note('from')}
          </label>
        )}
        {typing && (
          <label>
            From (number or sender ID)
            <input name="testFromTyped" placeholder="+1… or ACME" value={typed} onChange={(e) => setTyped(e.target.value)} required maxLength={40} {...errors.input('from')} />
            {errors.note('from')}
          </label>
        )}
        <button className="secondary" type="submit" disabled={test.isPending} data-testid="test-account">
          {test.isPending ? 'Sending…' : 'Test'}
        </button>
      </form>
      {errors.rest}
      {test.data && (
        <div className={`notice ${test.data.ok ? 'success' : 'error'}`} role="status" data-testid="test-verdict">
          {test.data.ok ? `Accepted: ${test.data.providerMessageId}${test.data.status ? ` (${test.data.status})` : ''}` : `Refused: ${test.data.error?.message ?? 'the carrier did not accept the message'}`}
        </div>
      )}
      {test.data !== undefined && (
        <pre className="provider-answer" data-testid="test-result">
          {JSON.stringify(test.data, null, 2)}
        </pre>
      )}
    </>
  );
}
