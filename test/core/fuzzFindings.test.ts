// Regressions of what the fuzz suite (test/fuzz) found in the recording API.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import { isThenable } from '../../src/core/isThenable.js';
import { middleware } from '../../src/http/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

let h: Harness;
beforeEach(() => {
  h = setupOtel();
});
afterEach(async () => {
  await h.teardown();
});

describe('fuzz findings', () => {
  it('walks a typed array given as the meta itself as a value, not index by index', async () => {
    const trace = await h.collected(() => {
      stepmark.record('s', 'bytes', new Uint8Array(4_000_000) as never);
      stepmark.record('s', 'set', new Set([1, 2]) as never);
      stepmark.record('s', 'map', new Map([['k', 1]]) as never);
    });
    expect(trace.events?.map((e) => e.meta)).toEqual([
      { value: '[Uint8Array 4000000 bytes]' },
      { value: [1, 2] },
      { k: 1 },
    ]);
  });

  it('does not spread a typed array into the exit meta of enter()', async () => {
    const trace = await h.collected(() => stepmark.enter()(Buffer.alloc(1_000_000) as never));
    const exited = trace.events?.[1]?.meta;
    expect(exited?.value).toBe('[Buffer 1000000 bytes]');
    expect(typeof exited?.duration_ms).toBe('number');
  });

  it('keeps the exited event of a meta Proxy whose traps throw', async () => {
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf: () => {
          throw new Error('trap');
        },
        ownKeys: () => {
          throw new Error('trap');
        },
      },
    );
    const trace = await h.collected(() => stepmark.enter()(hostile));
    expect(trace.events?.map((e) => e.action)).toEqual(['entered', 'exited']);
  });

  it('takes any kind in scope() without throwing', async () => {
    const orders = stepmark.scope(Object.create(null) as never);
    expect(orders.kind).toBe('[unprintable]');
    const trace = await h.collected(() => orders.recordEvent('o', 's', 'a'));
    expect(trace.entities?.o?.kind).toBe('[unprintable]');
  });

  it('names an array stage by its length instead of joining 2³¹ elements', async () => {
    const sparse: unknown[] = [];
    sparse.length = 2 ** 31 - 1;
    const trace = await h.collected(() => stepmark.record(sparse as never, 'x'));
    expect(trace.events?.[0]?.stage).toBe('[Array(2147483647)]');
  });

  it('counts the rejection of an async entityFilter instead of leaving it unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const before = stepmark.stats().internalErrors;
      await h.collected(() => stepmark.recordEntity('o', 's', 'a'), {
        entityFilter: (async () => {
          throw new Error('async filter');
        }) as never,
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
      expect(stepmark.stats().internalErrors).toBe(before + 1);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('turns an option object that throws when read into a TypeError at creation', () => {
    const trap = new Proxy([], {
      get: () => {
        throw new Error('trap');
      },
      getPrototypeOf: () => {
        throw new Error('trap');
      },
    });
    const created = [
      () => new stepmark.StepmarkSpanProcessor({ analyzers: trap as never }),
      () => middleware({ flagKey: trap as never }),
    ];
    for (const create of created) {
      expect(create).toThrow(TypeError);
      expect(create).toThrow(/options could not be read/);
    }
  });

  it('refuses list options longer than they may be before reading them', async () => {
    const huge = new Proxy([], { get: (t, k) => (k === 'length' ? 2 ** 20 : Reflect.get(t, k)) });
    for (const name of ['sinks', 'exporters', 'analyzers']) {
      expect(() => new stepmark.StepmarkSpanProcessor({ [name]: huge })).toThrow(RangeError);
    }
    const keys: string[] = [];
    keys.length = 2 ** 26;
    const before = stepmark.stats().internalErrors;
    // On the request path: reported, and the default rules apply.
    const trace = await h.collected(() => stepmark.record('s', 'a', { password: 'x' }), {
      redactKeys: keys,
    });
    expect(trace.events?.[0]?.meta).toEqual({ password: '[REDACTED]' });
    expect(stepmark.stats().internalErrors).toBe(before + 1);
  });

  it('treats a result whose `then` cannot be read as no promise (a sink returning a hostile Proxy)', () => {
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap');
        },
      },
    );
    expect(isThenable(hostile)).toBe(false);
  });
});
