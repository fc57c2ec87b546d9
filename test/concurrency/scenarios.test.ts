import { trace as otelTrace } from '@opentelemetry/api';
import { Mutex } from 'async-mutex';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  concurrencyStats,
  RaceDetector,
  trackAsync,
  trackError,
  trackFunction,
  trackLockAcquire,
  trackLockRelease,
  trackObject,
  trackStateChange,
  withLock,
  type Race,
} from '../../src/concurrency/index.js';
import * as stepmark from '../../src/index.js';
import type { Trace } from '../../src/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

/** A turn of the event loop: lets other tasks run between a read and a write. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const accounts = { alice: 100 };

/** Read the balance, let others run, write it back: the classic lost update when unguarded. */
async function withdraw(amount: number): Promise<void> {
  const balance = accounts.alice;
  trackStateChange('accounts.alice', balance, balance, 'read');
  await turn();
  accounts.alice = balance - amount;
  trackStateChange('accounts.alice', balance, balance - amount, 'write');
}

describe('race detection through the processor (issue 12 scenarios)', () => {
  let h: Harness;
  let races: Race[];
  let detector: RaceDetector;
  beforeEach(() => {
    races = [];
    detector = new RaceDetector({ onRace: (race) => races.push(race) });
    h = setupOtel({ processor: { analyzers: [detector] } });
    accounts.alice = 100;
  });
  afterEach(() => h.teardown());

  it('two sibling writes on different tasks: 1 race, in the JSON, on the spans and to onRace', async () => {
    await h.request(async () => {
      await Promise.all([
        trackAsync('a', async () => {
          await turn();
          trackStateChange('balance', 0, 1, 'write');
        }),
        trackAsync('b', async () => {
          await turn();
          trackStateChange('balance', 0, 2, 'write');
        }),
      ]);
    });
    const [t] = await h.traces();
    expect(races).toHaveLength(1);
    expect(races[0]).toMatchObject({ kind: 'write_write', variable: 'balance' });
    const tasks = races[0]?.accesses.map((a) => a.task_id);
    expect(tasks?.[0]).toMatch(/:a$/);
    expect(tasks?.[1]).toMatch(/:b$/);
    expect(races[0]?.accesses.map((a) => a.value)).toEqual([1, 2]);
    expect(races[0]?.accesses.every((a) => a.location?.includes('scenarios.test.ts'))).toBe(true);
    expect(t?.races).toEqual(races);
    expect(t?.state?.map((s) => [s.variable, s.access, s.value])).toEqual([
      ['balance', 'write', 1],
      ['balance', 'write', 2],
    ]);
    const raceEvents = h.exporter
      .getFinishedSpans()
      .flatMap((s) => s.events.filter((e) => e.name === 'stepmark.race'));
    expect(raceEvents).toHaveLength(1); // both accesses are on the request's one span
    const root = h.exporter.getFinishedSpans().find((s) => s.name === 'request');
    expect(root?.status.code).toBe(2); // error: Jaeger shows it red
  });

  it('the same two writes under one lock: 0 races', async () => {
    const mutex = new Mutex();
    await h.request(async () => {
      await Promise.all(
        ['a', 'b'].map((name, i) =>
          trackAsync(name, () =>
            withLock(mutex, 'balance', async () => {
              await turn();
              trackStateChange('balance', 0, i, 'write');
            }),
          ),
        ),
      );
    });
    const [t] = await h.traces();
    expect(races).toEqual([]);
    expect(t?.races).toBeUndefined();
    expect(t?.state?.every((s) => s.locks?.includes('balance'))).toBe(true);
    const locks = t?.events?.filter((e) => e.stage === 'lock').map((e) => e.action);
    expect(locks).toEqual(['acquired', 'released', 'acquired', 'released']);
  });

  it('read → await → another task writes → write: 1 lost update (and no extra pair)', async () => {
    await h.request(async () => {
      await Promise.all([
        trackAsync('first', () => withdraw(30)),
        trackAsync('second', () => withdraw(50)),
      ]);
    });
    await h.traces();
    expect(races.map((r) => r.kind)).toEqual(['lost_update']);
    const [read, foreign, stale] = races[0]?.accesses ?? [];
    expect(read?.access).toBe('read');
    expect(foreign?.access).toBe('write');
    expect(stale?.access).toBe('write');
    expect(read?.task_id).toBe(stale?.task_id);
    expect(foreign?.task_id).not.toBe(read?.task_id);
    expect(accounts.alice).not.toBe(20); // the update really was lost
  });

  it('two requests one after the other: 0 races', async () => {
    await h.request(() => withdraw(30));
    await h.request(() => withdraw(50));
    const traces = await h.traces();
    expect(traces).toHaveLength(2);
    expect(races).toEqual([]);
    expect(accounts.alice).toBe(20);
  });

  it('two concurrent requests: one lost update, with both trace ids, in each trace still open', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The first request stays open until the second has made its stale write.
    const first = h.request(async () => {
      await withdraw(30);
      await gate;
    });
    const second = h.request(async () => {
      await withdraw(50);
      release();
    });
    await Promise.all([first, second]);
    const traces = await h.traces();
    expect(races.map((r) => r.kind)).toEqual(['lost_update']);
    const ids = new Set(races[0]?.accesses.map((a) => a.trace_id));
    expect(ids.size).toBe(2);
    for (const t of traces) expect(t.races).toEqual(races);
  });

  it('a race completed after a request ended is not added to its delivered JSON', async () => {
    // The first request ends before the second writes from its stale read.
    let readDone: () => void = () => undefined;
    const read = new Promise<void>((resolve) => (readDone = resolve));
    let firstDone: () => void = () => undefined;
    const firstEnded = new Promise<void>((resolve) => (firstDone = resolve));
    const second = h.request(async () => {
      const balance = accounts.alice;
      trackStateChange('accounts.alice', balance, balance, 'read');
      readDone();
      await firstEnded;
      trackStateChange('accounts.alice', balance, balance - 50, 'write');
    });
    await read;
    await h.request(() => trackStateChange('accounts.alice', 100, 70, 'write'));
    firstDone();
    await second;
    const [t1, t2] = await h.traces();
    expect(races.map((r) => r.kind)).toEqual(['lost_update']);
    expect(t1?.races).toBeUndefined();
    expect(t2?.races).toEqual(races);
  });

  it('trackObject: a lost update on a nested path, with the user’s source locations', async () => {
    const bank = trackObject({ accounts: { alice: { balance: 100 } } }, 'bank');
    const transfer = async (amount: number) => {
      const balance = bank.accounts.alice.balance;
      await turn();
      bank.accounts.alice.balance = balance - amount;
    };
    await h.request(async () => {
      await Promise.all([
        trackAsync('t30', () => transfer(30)),
        trackAsync('t50', () => transfer(50)),
      ]);
    });
    const [t] = await h.traces();
    const lost = races.filter((r) => r.kind === 'lost_update');
    expect(lost).toHaveLength(1);
    expect(lost[0]?.variable).toBe('bank.accounts.alice.balance');
    expect(lost[0]?.accesses.map((a) => [a.access, a.value])).toEqual([
      ['read', 100],
      ['write', 70],
      ['write', 50],
    ]);
    for (const a of lost[0]?.accesses ?? [])
      expect(a.location).toMatch(/scenarios\.test\.ts:\d+:\d+$/);
    expect(t?.races?.filter((r) => r.kind === 'lost_update')).toEqual(lost);
    expect(bank.accounts === bank.accounts).toBe(true);
  });

  it('caps hold over 100,000 variables, and what fell out is counted', async () => {
    const small = new RaceDetector({ maxVariables: 1_000, windowPerVariable: 4 });
    const h2 = setupOtel({ processor: { analyzers: [small] } });
    try {
      await h2.request(
        () => {
          for (let i = 0; i < 100_000; i++) trackStateChange(`v${i}`, 0, i, 'write');
          for (let i = 0; i < 10; i++) trackStateChange('hot', i, i + 1, 'write');
        },
        { maxStateAccesses: 0, stateLocations: false },
      );
      const stats = small.stats();
      expect(stats.accesses).toBe(100_010);
      expect(stats.variables).toBeLessThanOrEqual(1_000);
      expect(stats.evictedVariables).toBeGreaterThanOrEqual(99_000);
      expect(stats.droppedFromWindow).toBe(6);
      expect(small.stats().races).toBe(0);
    } finally {
      await h2.teardown();
    }
  });

  it('the root happens before the children it spawns; siblings are concurrent', async () => {
    await h.request(async () => {
      trackStateChange('x', 0, 1, 'write'); // root, before the spawn
      await Promise.all([
        trackAsync('a', () => trackStateChange('x', 1, 1, 'read')),
        trackAsync('b', () => trackStateChange('y', 0, 1, 'write')),
      ]);
      trackStateChange('x', 1, 2, 'write'); // root, after joining both
    });
    const [t] = await h.traces();
    expect(races).toEqual([]);
    const previous = t?.state?.map((s) => s.previous?.happens_before);
    expect(previous).toEqual([undefined, true, undefined, true]);
  });

  it('read and write modes of one lock: readers and the writer are ordered through it', async () => {
    const lock = new Mutex();
    const reader = lock;
    const writer = lock;
    await h.request(async () => {
      await Promise.all([
        trackAsync('r1', () =>
          withLock(reader, 'x', () => trackStateChange('x', 0, 0, 'read'), { mode: 'read' }),
        ),
        trackAsync('r2', () =>
          withLock(reader, 'x', () => trackStateChange('x', 0, 0, 'read'), { mode: 'read' }),
        ),
        trackAsync('w', () => withLock(writer, 'x', () => trackStateChange('x', 0, 1, 'write'))),
      ]);
    });
    await h.traces();
    expect(races).toEqual([]);
  });

  it('withLock returns fn’s result, and releases (recorded) when fn throws or rejects', async () => {
    const mutex = new Mutex();
    await h.request(async () => {
      expect(await withLock(mutex, 'm', async () => 42)).toBe(42);
      expect(() =>
        withLock({ lock: () => undefined, unlock: () => undefined }, 's', () => {
          throw new Error('sync boom');
        }),
      ).toThrow('sync boom');
      await expect(
        withLock(mutex, 'm', async () => {
          await turn();
          throw new Error('async boom');
        }),
      ).rejects.toThrow('async boom');
      expect(mutex.isLocked()).toBe(false);
    });
    const [t] = await h.traces();
    const locks = t?.events
      ?.filter((e) => e.stage === 'lock')
      .map((e) => `${String(e.meta?.lock_id)} ${e.action}`);
    expect(locks).toEqual([
      'm acquired',
      'm released',
      's acquired',
      's released',
      'm acquired',
      'm released',
    ]);
  });

  it('withLock refuses a wrong lock, id or option where it is given', () => {
    expect(() => withLock({} as never, 'x', () => 1)).toThrow(TypeError);
    expect(() => withLock(new Mutex(), '', () => 1)).toThrow(/lockId/);
    expect(() => withLock(new Mutex(), 'x', () => 1, { mode: 'exclusive' as never })).toThrow(
      /mode/,
    );
    expect(() => withLock(new Mutex(), 'x', () => 1, { timeoutMs: -1 })).toThrow(RangeError);
  });

  it('a lock never released is reported after its timeout, once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const before = concurrencyStats.locksNotReleased;
      await h.request(() => {
        trackLockAcquire('forgotten', { timeoutMs: 1_000 });
        trackLockAcquire('returned', { timeoutMs: 1_000 });
        trackLockRelease('returned');
        vi.advanceTimersByTime(1_001);
      });
      const [t] = await h.traces();
      const lockEvents = t?.events?.filter((e) => e.stage === 'lock');
      expect(lockEvents?.map((e) => `${String(e.meta?.lock_id)} ${e.action}`)).toEqual([
        'forgotten acquired',
        'returned acquired',
        'returned released',
        'forgotten not_released',
      ]);
      expect(concurrencyStats.locksNotReleased).toBe(before + 1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('trackFunction records entry and exit in nesting order; trackError marks the span', async () => {
    await h.request(async () => {
      const total = await trackFunction('outer', [2], async (n: number) => {
        await turn();
        return trackFunction('inner', [n], (m: number) => m * 10);
      });
      expect(total).toBe(20);
      expect(() =>
        trackFunction('fails', [], () => {
          throw new Error('nope');
        }),
      ).toThrow('nope');
      trackError(new TypeError('bad input'), { order_id: 'o1' });
    });
    const [t] = await h.traces();
    expect(t?.events?.map((e) => `${e.stage} ${e.action}`)).toEqual([
      'outer entered',
      'inner entered',
      'inner exited',
      'outer exited',
      'fails entered',
      'fails threw',
      'error TypeError',
    ]);
    const error = t?.events?.at(-1);
    expect(error?.meta).toMatchObject({ order_id: 'o1', message: 'TypeError: bad input' });
    const root = h.exporter.getFinishedSpans().find((s) => s.name === 'request');
    expect(root?.events.some((e) => e.name === 'exception')).toBe(true);
  });

  it('trackAsync and trackFunction return fn’s very promise, and add no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await h.request(async () => {
        const p = Promise.resolve(7);
        expect(trackAsync('same', () => p)).toBe(p);
        expect(trackFunction('same', [], () => p)).toBe(p);
        // Handled where it was made, its tracked return ignored: no rejection may escape.
        const failing = Promise.reject(new Error('handled by its maker'));
        failing.catch(() => undefined);
        void trackAsync('ignored', () => failing);
        void trackFunction('ignored', [], () => failing);
        await turn();
        await turn();
      });
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    const [t] = await h.traces();
    expect(t?.events?.map((e) => `${e.stage} ${e.action}`)).toContain('ignored threw');
  });

  it('everything is a no-op with tracing off, and trackAsync/withLock still run fn', async () => {
    const mutex = new Mutex();
    trackStateChange('x', 0, 1, 'write');
    expect(trackAsync('a', () => 5)).toBe(5);
    expect(await withLock(mutex, 'm', () => 6)).toBe(6);
    expect(trackFunction('f', [1], (n: number) => n + 1)).toBe(2);
    trackError(new Error('x'));
    await otelTrace.getTracer('t').startActiveSpan('untraced', async (span) => {
      trackStateChange('x', 0, 1, 'write');
      span.end();
    });
    expect(detector.stats().accesses).toBe(0);
    expect(await h.traces()).toEqual([]);
  });

  it('bad arguments are counted, never thrown', async () => {
    const t: Trace = await h.collected(() => {
      trackStateChange('', 0, 1, 'write');
      trackStateChange('x', 0, 1, 'update' as never);
      trackStateChange(42 as never, 0, 1, 'write');
    });
    expect(t.invalid_calls).toBe(3);
    expect(t.state).toBeUndefined();
  });

  it('caps the state accesses a request keeps (maxStateAccesses), counting the rest', async () => {
    const t = await h.collected(
      () => {
        for (let i = 0; i < 5; i++) trackStateChange(`v${i}`, 0, i, 'write');
      },
      { maxStateAccesses: 3 },
    );
    expect(t.state).toHaveLength(3);
    expect(t.dropped_state).toBe(2);
  });

  it('values of a redacted variable are redacted', async () => {
    const t = await h.collected(() => trackStateChange('user.password', 'old', 'hunter2', 'write'));
    expect(t.state?.[0]).toMatchObject({ value: '[REDACTED]', old_value: '[REDACTED]' });
  });

  it('stepmark.collect() shows the accesses so far', async () => {
    const t = await h.collected(() => {
      trackStateChange('cart.items', [], ['sku_1'], 'write');
      expect(stepmark.collect()?.state).toHaveLength(1);
    });
    expect(t.state?.[0]).toMatchObject({ variable: 'cart.items', value: ['sku_1'], old_value: [] });
  });
});
