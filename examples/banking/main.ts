// `npm run example:banking`: two transfers from one account, three ways. Unguarded, they overlap
// and one update is lost: the RaceDetector says which, where and in which requests. Under
// `withLock`, or sent one after the other, there is no race and the balance is right.
import type { Trace } from 'stepmark-otel';
import type { Race } from 'stepmark-otel/concurrency';
import {
  createBank,
  type Bank,
  type Transfer,
  type TransferMode,
  type TransferReceipt,
} from './bank.js';
import { balanceOf, postTransfer, receiptOf } from './client.js';
import { describeRace } from './describeRace.js';
import { startOtel } from './otel.js';
import { serve } from './serve.js';

/** The two transfers of every scenario: both from alice, who opens with 100. */
export const TRANSFERS: readonly Transfer[] = [
  { from: 'alice', to: 'bob', amount: 30 },
  { from: 'alice', to: 'carol', amount: 50 },
];
const OPENING = 100;

const SCENARIOS: ReadonlyArray<{ mode: TransferMode; title: string }> = [
  {
    mode: 'unguarded',
    title: 'Two concurrent transfers from alice, unguarded (read, await, write)',
  },
  { mode: 'locked', title: "The same two, each under withLock(mutex, 'account:<id>')" },
  { mode: 'sequential', title: 'The same two, one after the other (the unguarded code)' },
];

/** What one scenario did: the receipts, the requests' traces, the races found, the balance. */
export interface ScenarioOutcome {
  mode: TransferMode;
  receipts: TransferReceipt[];
  traces: Trace[];
  races: Race[];
  /** alice's balance at the end (right: 20). */
  balance: number;
}

/** How the demo runs. */
export interface DemoOptions {
  /** Where each line goes. Default: console.log. */
  print?: (line: string) => void;
}

type Otel = ReturnType<typeof startOtel>;

/**
 * Sends both transfers so that they overlap: the second goes once the first is held at the
 * bank's start gate, so the first always reads first (the gate then holds both until both are
 * in: see `createBank`).
 */
async function together(bank: Bank, url: string): Promise<TransferReceipt[]> {
  const [one, two] = TRANSFERS as [Transfer, Transfer];
  const first = postTransfer(url, one);
  await Promise.race([bank.gate.whenArrived(1), first]);
  const second = postTransfer(url, two);
  return (await Promise.all([first, second])).map(receiptOf);
}

/** Sends the second transfer once the first's request has ended (its trace handed over). */
async function oneAfterTheOther(url: string, otel: Otel): Promise<TransferReceipt[]> {
  const receipts: TransferReceipt[] = [];
  for (const transfer of TRANSFERS) {
    const receipt = receiptOf(await postTransfer(url, transfer));
    if (receipt.trace_id !== undefined) await otel.traceOf(receipt.trace_id);
    receipts.push(receipt);
  }
  return receipts;
}

async function scenario(
  mode: TransferMode,
  otel: Otel,
  found: readonly Race[],
  print: (line: string) => void,
): Promise<ScenarioOutcome> {
  const bank = createBank({ mode, balances: { alice: OPENING, bob: 0, carol: 0 } });
  const served = await serve(bank.app);
  try {
    const receipts =
      mode === 'sequential'
        ? await oneAfterTheOther(served.url, otel)
        : await together(bank, served.url);
    const names = new Map<string, string>();
    for (const r of receipts) {
      if (r.trace_id === undefined) throw new Error('a transfer was not traced (rate limit?)');
      names.set(r.trace_id, `${r.from} → ${r.to} ${r.amount}`);
      print(
        `  POST /transfer ${r.from} → ${r.to} ${r.amount}: wrote ${r.from} ${r.balances[r.from]}  (trace ${r.trace_id})`,
      );
    }
    const traces = await Promise.all([...names.keys()].map((id) => otel.traceOf(id)));
    const balance = await balanceOf(served.url, 'alice');
    const amounts = TRANSFERS.map((t) => t.amount);
    const right = amounts.reduce((left, amount) => left - amount, OPENING);
    print(
      `  alice's balance is now ${balance}: ${balance === right ? 'right' : `wrong, ${[OPENING, ...amounts].join(' - ')} = ${right}`}`,
    );
    const races = found.filter((race) => race.accesses.some((a) => names.has(a.trace_id)));
    if (races.length === 0) print('  RaceDetector: no race');
    else print(`  RaceDetector found ${races.length} race${races.length === 1 ? '' : 's'}:`);
    for (const race of races) {
      for (const line of describeRace(race, { requestOf: (a) => names.get(a.trace_id) })) {
        print(`    ${line}`);
      }
    }
    return { mode, receipts, traces, races, balance };
  } finally {
    await served.close();
  }
}

/** Runs the three scenarios, printing what happened; returns their outcomes. */
export async function main(options: DemoOptions = {}): Promise<ScenarioOutcome[]> {
  const print = options.print ?? console.log;
  const found: Race[] = [];
  const otel = startOtel((race) => found.push(race));
  print(`stepmark-otel banking demo; spans go to ${otel.exportingTo}`);
  const outcomes: ScenarioOutcome[] = [];
  try {
    for (const [i, { mode, title }] of SCENARIOS.entries()) {
      print(`\n${i + 1}. ${title}`);
      outcomes.push(await scenario(mode, otel, found, print));
    }
  } finally {
    await otel.shutdown();
  }
  return outcomes;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
