import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { context, trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createBank,
  type TransferMode,
  type TransferReceipt,
} from '../../examples/banking/bank.js';
import { balanceOf, postTransfer, receiptOf } from '../../examples/banking/client.js';
import { TRANSFERS } from '../../examples/banking/main.js';
import { startOtel } from '../../examples/banking/otel.js';
import { serve } from '../../examples/banking/serve.js';
import type { Trace } from '../../src/index.js';
import type { Race } from '../../src/concurrency/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let otel: ReturnType<typeof startOtel>;
let races: Race[];
beforeEach(() => {
  races = [];
  otel = startOtel((race) => races.push(race));
});
// The demo registers its provider globally, once per process as a service does: undone for the next test.
afterEach(async () => {
  await otel.shutdown();
  trace.disable();
  context.disable();
});

/**
 * Sends alice → bob 30 and alice → carol 50 to a bank in `mode` over real HTTP: overlapping
 * (the second once the first waits at the bank's start gate) or, in `sequential` mode, the second
 * once the first's request has ended. Returns the receipts, both traces and alice's balance.
 */
async function transfers(mode: TransferMode) {
  const bank = createBank({ mode });
  const served = await serve(bank.app);
  try {
    let receipts: TransferReceipt[];
    if (mode === 'sequential') {
      const first = receiptOf(await postTransfer(served.url, TRANSFERS[0]!));
      await otel.traceOf(first.trace_id!);
      receipts = [first, receiptOf(await postTransfer(served.url, TRANSFERS[1]!))];
    } else {
      const first = postTransfer(served.url, TRANSFERS[0]!);
      await bank.gate.whenArrived(1);
      const second = postTransfer(served.url, TRANSFERS[1]!);
      receipts = (await Promise.all([first, second])).map(receiptOf);
    }
    const traces: Trace[] = await Promise.all(receipts.map((r) => otel.traceOf(r.trace_id!)));
    return { receipts, traces, balance: await balanceOf(served.url, 'alice') };
  } finally {
    await served.close();
  }
}

describe('examples/banking (npm run example:banking)', () => {
  describe('POST /transfer', () => {
    it('unguarded: two concurrent transfers from alice lose an update, found once', async () => {
      const { receipts, traces, balance } = await transfers('unguarded');
      expect(receipts.map((r) => r.balances.alice)).toEqual([70, 50]);
      expect(balance).toBe(50); // the update really was lost: 100 - 30 - 50 is 20

      expect(races.map((r) => [r.kind, r.variable])).toEqual([
        ['lost_update', 'accounts.alice.balance'],
      ]);
      const race = races.find((r) => r.kind === 'lost_update') as Race;
      expect(race).toBeDefined();
      const [read, overwritten, stale] = race.accesses;
      const [bobs, carols] = receipts.map((r) => r.trace_id);
      expect(bobs).not.toBe(carols);
      // alice → carol read 100, alice → bob wrote 70, then alice → carol wrote 50 over it.
      expect(race.accesses).toMatchObject([
        { trace_id: carols, access: 'read', value: 100 },
        { trace_id: bobs, access: 'write', old_value: 100, value: 70 },
        { trace_id: carols, access: 'write', old_value: 100, value: 50 },
      ]);
      expect(read?.task_id).toBe(stale?.task_id);
      expect(overwritten?.task_id).not.toBe(read?.task_id);
      for (const access of race.accesses) {
        expect(access.location).toMatch(/examples\/banking\/bank\.ts:\d+:\d+$/);
      }
      // In the JSON of alice → carol, whose stale write completed it. alice → bob's request had
      // ended, its JSON delivered, before that write: delivered JSON never changes (SPEC).
      expect(traces.map((t) => t.trace_id)).toEqual([bobs, carols]);
      expect(traces[1]?.races).toEqual(races);
      expect(traces[0]?.races).toBeUndefined();
    });

    it("under withLock: no race, and alice's balance is right", async () => {
      const { receipts, traces, balance } = await transfers('locked');
      expect(receipts.map((r) => r.balances.alice)).toEqual([70, 20]);
      expect(balance).toBe(20);
      expect(races).toEqual([]);
      for (const t of traces) {
        expect(t.races).toBeUndefined();
        const alice = t.state?.filter((s) => s.variable === 'accounts.alice.balance');
        expect(alice?.map((s) => s.access)).toEqual(['read', 'write']);
        for (const s of alice ?? []) expect(s.locks).toContain('account:alice');
      }
    });

    it("one after the other: no race, and alice's balance is right", async () => {
      const { receipts, traces, balance } = await transfers('sequential');
      expect(receipts.map((r) => r.balances.alice)).toEqual([70, 20]);
      expect(balance).toBe(20);
      expect(races).toEqual([]);
      for (const t of traces) expect(t.races).toBeUndefined();
    });

    it('refuses a transfer it cannot make', async () => {
      // Sequential: a lone transfer to an overlapping-mode bank would wait at its start gate.
      const served = await serve(createBank({ mode: 'sequential' }).app);
      try {
        const post = (body: object) => postTransfer(served.url, body as never);
        expect(await post({ from: 'alice', to: 'mallory', amount: 1 })).toEqual({
          status: 400,
          body: { error: 'to: no such account' },
        });
        expect((await post({ from: 'alice', to: 'bob', amount: -5 })).status).toBe(400);
        expect((await post({ from: 'bob', to: 'alice', amount: 10 })).status).toBe(409);
        expect(await balanceOf(served.url, 'bob')).toBe(0);
      } finally {
        await served.close();
      }
    });
  });

  it('prints the lost update the detector found, then no race with the lock or one after the other, and exits 0', async () => {
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'examples/banking/main.ts'],
        { cwd: ROOT, env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '' }, timeout: 60_000 },
        (error, out, err) =>
          resolve({ code: error ? ((error.code as number) ?? 1) : 0, stdout: out, stderr: err }),
      );
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    const ids = /trace ([0-9a-f]{32})/;
    const section = (n: number) => {
      const start = lines.findIndex((l) => l.startsWith(`${n}. `));
      const end = lines.findIndex((l, i) => i > start && /^\d\. /.test(l));
      return lines.slice(start, end < 0 ? undefined : end);
    };

    const unguarded = section(1);
    expect.soft(unguarded).toContain('  RaceDetector found 1 race:');
    expect(unguarded).toContain("  alice's balance is now 50: wrong, 100 - 30 - 50 = 20");
    const lost = unguarded.findIndex((l) => l.trim() === 'lost update on accounts.alice.balance');
    expect(lost).toBeGreaterThan(0);
    const [read, overwritten, stale, summary] = unguarded.slice(lost + 1, lost + 5);
    expect(read).toMatch(
      /alice → carol 50 {2}trace [0-9a-f]{32} {2}task \S+ {2}read 100 {2}at examples\/banking\/bank\.ts:\d+:\d+$/,
    );
    expect(overwritten).toMatch(
      /alice → bob 30 {2}trace [0-9a-f]{32} {2}task \S+ {2}wrote 100 → 70 {2}at examples\/banking\/bank\.ts:\d+:\d+$/,
    );
    expect(stale).toMatch(
      /alice → carol 50 {2}trace [0-9a-f]{32} {2}task \S+ {2}wrote 100 → 50 {2}at examples\/banking\/bank\.ts:\d+:\d+$/,
    );
    expect(ids.exec(read ?? '')?.[1]).toBe(ids.exec(stale ?? '')?.[1]);
    expect(ids.exec(read ?? '')?.[1]).not.toBe(ids.exec(overwritten ?? '')?.[1]);
    expect(summary?.trim()).toBe(
      'accounts.alice.balance: 100 → 70 and 100 → 50; the 70 was lost (written over from a stale read of 100)',
    );

    for (const n of [2, 3]) {
      expect(section(n)).toContain("  alice's balance is now 20: right");
      expect(section(n)).toContain('  RaceDetector: no race');
    }
  }, 90_000);
});
