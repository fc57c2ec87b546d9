// Issue 9, repros 1–4: one recording call is bounded in time and memory whatever its meta holds,
// and what a trace keeps does not pin the caller's big strings.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import { META_BUDGET } from '../../src/core/sanitize.js';
import type { Trace } from '../../src/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

let h: Harness;
beforeEach(() => {
  h = setupOtel();
});
afterEach(async () => {
  await h.teardown();
});

/** Meta whose levels share one object: `levels` deep, `keys` wide, `keys ** levels` paths. */
function sharedDag(levels: number, keys: number): unknown {
  let node: unknown = 'leaf';
  for (let d = 0; d < levels; d++) {
    const o: Record<string, unknown> = {};
    for (let k = 0; k < keys; k++) o[`k${k}`] = node;
    node = o;
  }
  return node;
}

/** Heap in use after a full GC, in MB. */
function heapMb(): number {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed / 1e6;
}

describe('meta with shared references (repro 1)', () => {
  it('copies a 4 × 128 DAG (268 M paths) within the budget, and counts the cut', async () => {
    const trace = await h.collected(() => stepmark.record('s', 'a', { dag: sharedDag(4, 128) }));
    const json = JSON.stringify(trace.events?.[0]?.meta);
    // Without the budget this call exhausts a 4 GB heap.
    expect(json.length).toBeLessThan(META_BUDGET.values * 40);
    expect(json).toContain('more keys');
    expect(trace.truncated_meta).toBeGreaterThan(0);
  });

  it('keeps a value that repeats a small object whole', async () => {
    const address = { city: 'Lyon', zip: '69001' };
    const trace = await h.collected(() =>
      stepmark.record('s', 'a', { billing: address, shipping: address }),
    );
    expect(trace.events?.[0]?.meta).toEqual({ billing: address, shipping: address });
    expect(trace.truncated_meta).toBeUndefined();
  });

  it('reads no more than 128 items of a huge array or Set', async () => {
    let reads = 0;
    const items = new Proxy(new Array<number>(1_000_000).fill(1), {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const set = new Set(Array.from({ length: 100_000 }, (_, i) => i));
    reads = 0;
    const trace = await h.collected(() => stepmark.record('s', 'a', { items, set }));
    const meta = trace.events?.[0]?.meta;
    expect((meta?.items as unknown[]).length).toBe(129);
    expect((meta?.items as unknown[])[128]).toBe('…999872 more items');
    expect((meta?.set as unknown[])[128]).toBe('…99872 more items');
    expect(reads).toBe(128);
  });
});

describe('strings cut to maxStringLength (repro 3)', () => {
  it('do not keep their 10 MB originals alive', async () => {
    const kept: Trace[] = [];
    const before = heapMb();
    for (let i = 0; i < 20; i++) {
      // A fresh 10 MB string each time (not one shared constant).
      const body = String(i).padEnd(10_000_000, 'x');
      kept.push(await h.collected(() => stepmark.record('s', 'a', { body, [body]: 1 })));
    }
    const grown = heapMb() - before;
    // A slice would keep 20 × 10 MB.
    expect(grown).toBeLessThan(40);
    expect(kept[19]?.events?.[0]?.meta?.body).toMatch(/^19x+…\[truncated 9997952 chars\]$/);
  });

  it('never split a surrogate pair', async () => {
    const trace = await h.collected(
      () => stepmark.record('s', 'a', { emoji: `${'a'.repeat(15)}😀😀` }),
      {
        maxStringLength: 16,
      },
    );
    expect(trace.events?.[0]?.meta?.emoji).toBe(`${'a'.repeat(15)}…[truncated 4 chars]`);
  });
});

describe('huge meta keys (repro 2)', () => {
  it('are not pinned by the redaction rules, with or without redactKeys', async () => {
    for (const options of [undefined, { redactKeys: ['note'] }]) {
      const before = heapMb();
      for (let i = 0; i < 20; i++) {
        const key = String(i).padEnd(10_000_000, 'k');
        await h.collected(() => stepmark.record('s', 'a', { [key]: 1 }), options);
      }
      expect(heapMb() - before).toBeLessThan(40);
    }
  });
});

describe('track meta (repro 4)', () => {
  it('keeps 128 keys per entity and counts the rest, in linear time', async () => {
    const trace = await h.collected(() => {
      // Quadratic before: 20,000 keys took 88 s.
      for (let i = 0; i < 20_000; i++) stepmark.track('o', { [`k${i}`]: i });
      stepmark.track('o', { k0: 'updated' });
    });
    const meta = trace.entities?.o?.meta ?? {};
    expect(Object.keys(meta)).toHaveLength(128);
    expect(meta.k0).toBe('updated');
    expect(meta.k127).toBe(127);
    expect(trace.truncated_meta).toBe(20_000 - 128);
  });
});
