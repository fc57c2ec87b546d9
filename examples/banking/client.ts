// The demo's HTTP client: what a caller of the bank sends.
import type { Transfer, TransferReceipt } from './bank.js';

/** The answer to a transfer: its status, and the receipt (200) or the error. */
export interface TransferAnswer {
  status: number;
  body: TransferReceipt | { error: string };
}

/** `POST /transfer`, asking for a trace (`X-Stepmark: true`, the bank's trigger). */
export async function postTransfer(url: string, transfer: Transfer): Promise<TransferAnswer> {
  const response = await fetch(`${url}/transfer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-stepmark': 'true' },
    body: JSON.stringify(transfer),
  });
  return { status: response.status, body: (await response.json()) as TransferAnswer['body'] };
}

/** The receipt of a transfer that went through; throws with the error otherwise. */
export function receiptOf(answer: TransferAnswer): TransferReceipt {
  if (answer.status !== 200 || 'error' in answer.body) {
    throw new Error(`transfer failed (${answer.status}): ${JSON.stringify(answer.body)}`);
  }
  return answer.body;
}

/** `GET /accounts/:id`: the balance of one account. */
export async function balanceOf(url: string, account: string): Promise<number> {
  const response = await fetch(`${url}/accounts/${encodeURIComponent(account)}`);
  if (!response.ok) throw new Error(`GET /accounts/${account}: ${response.status}`);
  return ((await response.json()) as { balance: number }).balance;
}
