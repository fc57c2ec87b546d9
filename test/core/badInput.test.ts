import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import { captureDiag } from '../support/diagCapture.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

let h: Harness;
beforeEach(() => {
  h = setupOtel();
});
afterEach(async () => {
  await h.teardown();
});

describe('bad input', () => {
  describe('entity ids', () => {
    it('rejects undefined, null, empty, NaN, objects and symbols, and counts them', async () => {
      const trace = await h.collected(() => {
        for (const bad of [undefined, null, '', NaN, Infinity, {}, [], Symbol('x'), () => 1]) {
          stepmark.recordEntity(bad as never, 's', 'a');
          stepmark.track(bad as never);
        }
      });
      expect(trace.entities).toBeUndefined();
      expect(trace.invalid_calls).toBe(18);
    });

    it('records numbers and bigints under their decimal string', async () => {
      const trace = await h.collected(() => {
        stepmark.recordEntity(42, 's', 'a');
        stepmark.recordEntity(9007199254740993n, 's', 'a');
      });
      expect(Object.keys(trace.entities ?? {})).toEqual(['42', '9007199254740993']);
    });

    it('keeps an entity called __proto__ as data, not as a prototype', async () => {
      const trace = await h.collected(() =>
        stepmark.recordEntity('__proto__', 's', 'a', { __proto__x: 1 }),
      );
      expect(Object.keys(trace.entities ?? {})).toEqual(['__proto__']);
      expect(JSON.parse(JSON.stringify(trace)).entities.__proto__.events[0].action).toBe('a');
    });
  });

  describe('meta', () => {
    it('replaces circular references with a marker', async () => {
      const a: Record<string, unknown> = { name: 'a' };
      a.self = a;
      a.list = [a];
      const trace = await h.collected(() => stepmark.record('s', 'a', { a }));
      expect(trace.events?.[0]?.meta).toEqual({
        a: { name: 'a', self: '[Circular]', list: ['[Circular]'] },
      });
      expect(() => JSON.stringify(trace)).not.toThrow();
    });

    it('turns BigInt, functions, symbols, Dates and Errors into documented values', async () => {
      function handler() {}
      const trace = await h.collected(() =>
        stepmark.record('s', 'a', {
          big: 10n ** 30n,
          fn: handler,
          arrow: () => 1,
          sym: Symbol('tag'),
          when: new Date('2026-03-04T05:06:07.089Z'),
          bad: new Date('nope'),
          err: new TypeError('broken'),
          nan: NaN,
          inf: -Infinity,
          undef: undefined,
          nil: null,
          map: new Map([['k', 1]]),
          set: new Set([1, 2]),
          bytes: new Uint8Array(8),
          re: /x+/g,
        }),
      );
      expect(trace.events?.[0]?.meta).toEqual({
        big: '1000000000000000000000000000000',
        fn: '[Function handler]',
        arrow: '[Function arrow]',
        sym: 'Symbol(tag)',
        when: '2026-03-04T05:06:07.089Z',
        bad: 'Invalid Date',
        err: { name: 'TypeError', message: 'broken' },
        nan: 'NaN',
        inf: '-Infinity',
        nil: null,
        map: { k: 1 },
        set: [1, 2],
        bytes: '[Uint8Array 8 bytes]',
        re: '/x+/g',
      });
    });

    it('copies nested objects at call time and caps depth', async () => {
      const cart = { items: [{ sku: 'A', qty: 1 }] };
      const deep = { l1: { l2: { l3: { l4: { l5: { l6: { l7: 1 } } } } } } };
      const trace = await h.collected(() => {
        stepmark.record('s', 'a', { cart, deep });
        cart.items[0]!.qty = 5; // mutating after the call does not rewrite history
      });
      expect(trace.events?.[0]?.meta?.cart).toEqual({ items: [{ sku: 'A', qty: 1 }] });
      expect(JSON.stringify(trace.events?.[0]?.meta?.deep)).toBe(
        '{"l1":{"l2":{"l3":{"l4":{"l5":{"l6":"[Object]"}}}}}}',
      );
    });

    it('truncates huge strings with a marker, in meta, ids, stages and actions', async () => {
      const huge = 'x'.repeat(1_000_000);
      const trace = await h.collected(
        () => stepmark.recordEntity(huge, huge, huge, { huge, [huge]: 1 }),
        { maxStringLength: 100 },
      );
      const [id] = Object.keys(trace.entities ?? {});
      const marker = '…[truncated 999900 chars]';
      expect(id).toBe('x'.repeat(100) + marker);
      const event = trace.entities?.[id!]?.events[0];
      expect(event?.stage).toBe('x'.repeat(100) + marker);
      expect(event?.action).toBe('x'.repeat(100) + marker);
      expect(event?.meta?.huge).toBe('x'.repeat(100) + marker);
      expect(JSON.stringify(trace).length).toBeLessThan(2_000);
    });

    it('survives a getter that throws and a non-object meta', async () => {
      const meta = Object.defineProperty({ ok: 1 }, 'boom', {
        enumerable: true,
        get() {
          throw new Error('getter');
        },
      });
      const trace = await h.collected(() => {
        stepmark.record('s', 'a', meta);
        stepmark.record('s', 'b', 'just a string' as never);
      });
      expect(trace.events?.map((e) => e.meta)).toEqual([
        { ok: 1, boom: '[Thrown]' },
        { value: 'just a string' },
      ]);
    });

    it('keeps 128 keys of a huge object and says how many it left out', async () => {
      const wide = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i]));
      const trace = await h.collected(() => stepmark.record('s', 'a', wide));
      const meta = trace.events?.[0]?.meta ?? {};
      expect(Object.keys(meta)).toHaveLength(129);
      expect(meta['…']).toBe('872 more keys');
    });
  });

  describe('volume', () => {
    it('handles thousands of entities', async () => {
      const trace = await h.collected(() => {
        for (let i = 0; i < 5_000; i++)
          stepmark.recordEntity(`user_${i}`, 'score', 'ranked', { i });
      });
      expect(Object.keys(trace.entities ?? {})).toHaveLength(5_000);
      const [json] = await h.traces();
      expect(Object.keys(json?.entities ?? {})).toHaveLength(5_000);
      const request = h.exporter.getFinishedSpans().find((s) => s.name === 'request');
      // The span lists 1,000 ids and counts the rest; the JSON has every entity.
      expect(request?.attributes['stepmark.entity.ids']).toHaveLength(1_000);
      expect(request?.attributes['stepmark.entity.ids_dropped']).toBe(4_000);
    });

    it('caps entities with maxEntities and counts the calls for the rest', async () => {
      const trace = await h.collected(
        () => {
          for (let i = 0; i < 10; i++) stepmark.recordEntity(`e${i}`, 's', 'a');
        },
        { maxEntities: 4 },
      );
      expect(Object.keys(trace.entities ?? {})).toEqual(['e0', 'e1', 'e2', 'e3']);
      expect(trace.dropped_entities).toBe(6);
    });
  });

  describe('callbacks that throw', () => {
    it('a throwing entityFilter is counted every time and reported on diag once, then as a count', async () => {
      const { diag } = await import('@opentelemetry/api');
      const { flushWarnings, resetWarnings } = await import('../../src/core/diagnostics.js');
      resetWarnings();
      const warnings = captureDiag().messages;
      try {
        const before = stepmark.stats().internalErrors;
        const trace = await h.collected(
          () => {
            for (let i = 0; i < 500; i++) stepmark.recordEntity(`e${i}`, 's', 'a');
          },
          {
            entityFilter: () => {
              throw new Error('filter bug');
            },
          },
        );
        expect(trace.entities).toBeUndefined();
        expect(stepmark.stats().internalErrors - before).toBe(500);
        flushWarnings();
        const mine = warnings.filter((m) => m.includes('options.entityFilter'));
        expect(mine).toHaveLength(2); // the first one, then one line with the count
        expect(mine[1]).toContain('499');
      } finally {
        diag.disable();
        resetWarnings();
      }
    });
  });

  describe('calls at the wrong time', () => {
    it('ignores calls after the root span ended and counts them as late', async () => {
      const { context } = await import('@opentelemetry/api');
      let finished = context.active();
      await h.request(() => {
        stepmark.record('s', 'in-time');
        finished = context.active(); // a stray callback would keep this context
      });
      await h.traces();
      // With nothing traced, the call returns at the first check: ignored, not even looked at.
      context.with(finished, () => stepmark.record('s', 'too-late'));
      // While another request is traced, the stray call reaches the closed session: counted.
      const before = stepmark.stats().lateCalls;
      await h.request(() => {
        context.with(finished, () => stepmark.record('s', 'too-late'));
        stepmark.record('s', 'other-request');
      });
      expect(stepmark.stats().lateCalls).toBe(before + 1);
      const traces = await h.traces();
      expect(traces.map((t) => t.events?.map((e) => e.action))).toEqual([
        ['in-time'],
        ['other-request'],
      ]);
    });

    it('never throws when the library is used with no OTel setup at all', async () => {
      await h.teardown();
      const { context, trace } = await import('@opentelemetry/api');
      context.disable();
      trace.disable();
      const result = stepmark.withTracing(() => {
        stepmark.recordEntity('o', 's', 'a', { n: 1 });
        stepmark.step('x');
        return 'done';
      });
      expect(result).toBe('done');
      expect(() =>
        stepmark.recordEntity(undefined as never, undefined as never, undefined as never),
      ).not.toThrow();
      h = setupOtel();
    });
  });
});

describe('session lifetime', () => {
  it('stops counting a request that was enabled but never ended once it is unreachable', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined)
      throw new Error('vitest must run with --expose-gc (see vitest.config.ts)');
    const { context } = await import('@opentelemetry/api');
    const before = stepmark.stats().openSessions;
    // Enabled with no span and never closed: e.g. a sampled-out request.
    (() => {
      context.with(stepmark.enable(), () => stepmark.record('s', 'a'));
    })();
    expect(stepmark.stats().openSessions).toBe(before + 1);
    // Finalizers run after a collection, on a later turn: collect and turn until it has run.
    for (let turn = 0; turn < 50 && stepmark.stats().openSessions > before; turn++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(stepmark.stats().openSessions).toBe(before);
  });
});
