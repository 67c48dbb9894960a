/**
 * Which of our numbers an inbound message is for, per provider account: read for every inbound
 * message, so it is cached on each node (ctx.receivingNumbers, keyed `accountId\nE.164`).
 */
import type { Db } from '../db/client.js';
import { prepared } from '../db/prepared.js';
import { pairKey, splitPairKey } from './node-cache.js';

export interface ReceivingNumber {
  id: string;
  number: string;
}

export function receivingNumberKey(accountId: string, number: string): string {
  return pairKey(accountId, number);
}

const byAccountAndNumber = prepared<{ accountId: string; number: string }>()((db, p) =>
  db.selectFrom('numbers').select(['id', 'number']).where('provider_account_id', '=', p.accountId).where('number', '=', p.number),
);

export async function loadReceivingNumber(db: Db, key: string): Promise<ReceivingNumber | undefined> {
  const [accountId, number] = splitPairKey(key);
  return byAccountAndNumber.first(db, { accountId, number });
}
