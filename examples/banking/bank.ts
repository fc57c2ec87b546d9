// The service of the demo: accounts and `POST /transfer`, which reads the balances, waits on
// (simulated) I/O, then writes them back: the classic lost update when two transfers overlap.
import { setImmediate as ledgerRoundTrip } from 'node:timers/promises';
import { trace } from '@opentelemetry/api';
import { Mutex } from 'async-mutex';
import express, { type Express } from 'express';
import { trackStateChange, withLock } from 'stepmark-otel/concurrency';
import { stepmark } from 'stepmark-otel/express';
import { headerTrigger } from 'stepmark-otel/http';
import { Rendezvous } from './Rendezvous.js';

/**
 * How a bank runs its transfers:
 * - `unguarded`: read, await, write; two overlapping transfers from one account lose an update.
 * - `locked`: the same code under `withLock(mutex, 'account:<id>', ...)` for both accounts.
 * - `sequential`: the unguarded code, serving transfers one at a time as they come (the demo
 *   sends them one after the other).
 */
export type TransferMode = 'unguarded' | 'locked' | 'sequential';

/** A transfer as `POST /transfer` takes it (JSON body). */
export interface Transfer {
  from: string;
  to: string;
  amount: number;
}

/** What `POST /transfer` answers with a 200. */
export interface TransferReceipt extends Transfer {
  /** The balances of both accounts as this transfer wrote them. */
  balances: Record<string, number>;
  /** The trace of the request, when it was traced (header `X-Stepmark: true`). */
  trace_id?: string;
}

/** Options of `createBank`. */
export interface BankOptions {
  mode: TransferMode;
  /** Opening balances. Default `{ alice: 100, bob: 0, carol: 0 }`. */
  balances?: Record<string, number>;
}

/** A bank: its Express app, and what the demo looks at beside HTTP. */
export interface Bank {
  app: Express;
  mode: TransferMode;
  /**
   * Where each transfer waits before it starts, until two have arrived (one in `sequential`
   * mode): see `createBank`. So a lone transfer to an `unguarded` or `locked` bank waits for a
   * second one; the demo always sends two.
   */
  gate: Rendezvous;
}

/** The name a balance is tracked under, and the account a variable is the balance of. */
export const balanceVariable = (account: string): string => `accounts.${account}.balance`;

class InsufficientFunds extends Error {}

/**
 * A bank whose `POST /transfer` is traced when asked (header `X-Stepmark: true`) and whose
 * `GET /accounts/:id` gives a balance. Each balance access is a `trackStateChange`, so that a
 * `RaceDetector` in the processor can order them.
 *
 * How the demo makes two transfers overlap exactly, whatever the timing: in the `unguarded` and
 * `locked` modes each transfer first waits at a `Rendezvous` of 2, so neither starts before both
 * requests have arrived. When the second arrives, it opens the gate: the first transfer's
 * continuation is queued (a promise job) before the second's, and each reads its balances
 * synchronously from there up to its first `await`. The unguarded transfer then awaits
 * `setImmediate` (the ledger round trip, a macrotask): Node runs every queued promise job before
 * any immediate, so both reads are done before either write, every time; no sleep, no timer
 * race. Under the lock the first transfer takes the mutex first and the second waits for its
 * release. `sequential` has no gate (a gate of 1): each transfer runs as it comes.
 * @example const { app } = createBank({ mode: 'locked' }); http.createServer(app).listen(3000)
 */
export function createBank(options: BankOptions): Bank {
  const { mode } = options;
  const balances = new Map(Object.entries(options.balances ?? { alice: 100, bob: 0, carol: 0 }));
  const mutexes = new Map([...balances.keys()].map((account) => [account, new Mutex()]));
  const gate = new Rendezvous(mode === 'sequential' ? 1 : 2);

  /** Read both balances, wait on the ledger, write both from what was read. */
  async function move({ from, to, amount }: Transfer): Promise<Record<string, number>> {
    const debited = balances.get(from) ?? 0;
    trackStateChange(balanceVariable(from), debited, debited, 'read');
    const credited = balances.get(to) ?? 0;
    trackStateChange(balanceVariable(to), credited, credited, 'read');
    if (debited < amount) throw new InsufficientFunds(`${from} has ${debited}, not ${amount}`);
    await ledgerRoundTrip();
    // Written from the values read before the await: stale if another transfer wrote meanwhile.
    balances.set(from, debited - amount);
    trackStateChange(balanceVariable(from), debited, debited - amount, 'write');
    balances.set(to, credited + amount);
    trackStateChange(balanceVariable(to), credited, credited + amount, 'write');
    return { [from]: debited - amount, [to]: credited + amount };
  }

  /** `move` holding both accounts' locks, taken in name order so two transfers never deadlock. */
  async function lockedMove(transfer: Transfer): Promise<Record<string, number>> {
    const { from, to } = transfer;
    const [first, second] = from < to ? [from, to] : [to, from];
    const lock = (account: string) => mutexes.get(account) as Mutex;
    return withLock(lock(first), `account:${first}`, () =>
      withLock(lock(second), `account:${second}`, () => move(transfer)),
    );
  }

  const app = express();
  app.use(stepmark({ trigger: headerTrigger('X-Stepmark') }));
  app.post('/transfer', express.json(), async (req, res) => {
    const transfer = transferOf(req.body, balances);
    if (typeof transfer === 'string') {
      res.status(400).json({ error: transfer });
      return;
    }
    await gate.arrive();
    try {
      const written = mode === 'locked' ? await lockedMove(transfer) : await move(transfer);
      const traceId = trace.getActiveSpan()?.spanContext().traceId;
      const receipt: TransferReceipt = { ...transfer, balances: written };
      if (traceId !== undefined) receipt.trace_id = traceId;
      res.json(receipt);
    } catch (error) {
      if (!(error instanceof InsufficientFunds)) throw error;
      res.status(409).json({ error: error.message });
    }
  });
  app.get('/accounts/:id', (req, res) => {
    const balance = balances.get(req.params.id);
    if (balance === undefined) res.status(404).json({ error: 'no such account' });
    else res.json({ id: req.params.id, balance });
  });
  return { app, mode, gate };
}

/** The transfer a body asks for, or what is wrong with it. */
function transferOf(body: unknown, balances: Map<string, number>): Transfer | string {
  const { from, to, amount } = (body ?? {}) as Partial<Record<keyof Transfer, unknown>>;
  if (typeof from !== 'string' || !balances.has(from)) return 'from: no such account';
  if (typeof to !== 'string' || !balances.has(to)) return 'to: no such account';
  if (from === to) return 'from and to must differ';
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) {
    return 'amount: a whole number > 0';
  }
  return { from, to, amount };
}
