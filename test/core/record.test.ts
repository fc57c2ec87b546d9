import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as stepmark from '../../src/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

let h: Harness;
beforeEach(() => {
  h = setupOtel();
});
afterEach(async () => {
  await h.teardown();
});

describe('recording API', () => {
  describe('when disabled', () => {
    it('records nothing and collect() is undefined outside any request', async () => {
      stepmark.recordEntity('order_1', 'validate', 'ok', { a: 1 });
      stepmark.record('cache', 'miss');
      stepmark.track('order_1');
      stepmark.step('x');
      stepmark.stepEntity('order_1', 'x');
      stepmark.enter()();
      stepmark.enterEntity('order_1')();
      stepmark.scope('order').recordEvent('order_1', 's', 'a');
      expect(stepmark.enabled()).toBe(false);
      expect(stepmark.collect()).toBeUndefined();
      await h.tracer.startActiveSpan('plain', async (span) => {
        stepmark.recordEntity('order_1', 'validate', 'ok');
        expect(stepmark.enabled()).toBe(false);
        span.end();
      });
      expect(await h.traces()).toEqual([]);
      expect(h.exporter.getFinishedSpans()[0]?.events).toEqual([]);
    });

    it('returns the same shared exit from enter() every time', () => {
      expect(stepmark.enter()).toBe(stepmark.enter());
      expect(stepmark.enterEntity('a')).toBe(stepmark.enter());
    });
  });

  describe('track', () => {
    it('merges meta key by key and lets a later kind replace an earlier one', async () => {
      const trace = await h.request(() => {
        stepmark.track('user_7', { plan: 'free', country: 'FR' }, { kind: 'visitor' });
        stepmark.track('user_7', { plan: 'pro' });
        stepmark.track('user_7', undefined, { kind: 'user' });
        return stepmark.collect();
      });
      expect(trace?.entities?.user_7).toEqual({
        entity_id: 'user_7',
        kind: 'user',
        meta: { plan: 'pro', country: 'FR' },
        events: [],
      });
    });

    it('writes a stepmark.track span event with the entity and its meta', async () => {
      await h.request(() => stepmark.track('user_7', { plan: 'pro' }, { kind: 'user' }));
      const request = h.exporter.getFinishedSpans().find((s) => s.name === 'request');
      expect(request?.events.map((e) => [e.name, e.attributes])).toEqual([
        [
          'stepmark.track',
          {
            'stepmark.seq': expect.any(Number),
            'stepmark.entity.id': 'user_7',
            'stepmark.entity.kind': 'user',
            'stepmark.meta.plan': 'pro',
          },
        ],
      ]);
    });
  });

  describe('recordEntity and record', () => {
    it('groups entity events by entity in recording order and keeps request events apart', async () => {
      await h.request(() => {
        stepmark.recordEntity('order_42', 'validate', 'passed', { items: 3 });
        stepmark.record('cache', 'miss', { key: 'prices' });
        stepmark.recordEntity('order_43', 'validate', 'failed');
        stepmark.recordEntity('order_42', 'fraud_check', 'cleared', { score: 0.02 });
      });
      const [trace] = await h.traces();
      const ev = (id: string) =>
        trace?.entities?.[id]?.events.map((e) => [e.stage, e.action, e.meta]);
      expect(ev('order_42')).toEqual([
        ['validate', 'passed', { items: 3 }],
        ['fraud_check', 'cleared', { score: 0.02 }],
      ]);
      expect(ev('order_43')).toEqual([['validate', 'failed', undefined]]);
      expect(trace?.events?.map((e) => [e.stage, e.action, e.meta])).toEqual([
        ['cache', 'miss', { key: 'prices' }],
      ]);
    });

    it('stamps each event with an ISO time and the id of the span it was written on', async () => {
      let rootId = '';
      let childId = '';
      await h.request(async () => {
        const { trace: otelTrace } = await import('@opentelemetry/api');
        rootId = otelTrace.getActiveSpan()?.spanContext().traceId ?? '';
        stepmark.record('root', 'here');
        await h.tracer.startActiveSpan('child', async (child) => {
          childId = child.spanContext().spanId;
          stepmark.record('child', 'here');
          child.end();
        });
      });
      const [trace] = await h.traces();
      expect(trace?.trace_id).toBe(rootId);
      const [root, child] = trace?.events ?? [];
      expect(child?.span_id).toBe(childId);
      expect(root?.span_id).not.toBe(childId);
      expect(trace?.spans?.map((s) => s.span_id)).toContain(root?.span_id);
      expect(new Date(root?.timestamp ?? '').toISOString()).toBe(root?.timestamp);
    });

    it('writes each decision as a span event with the attribute names of the spec', async () => {
      await h.request(() =>
        stepmark.recordEntity('order_42', 'fraud_check', 'cleared', {
          score: 0.02,
          rules: ['velocity', 'geo'],
          reviewer: null,
        }),
      );
      const request = h.exporter.getFinishedSpans().find((s) => s.name === 'request');
      expect(request?.events).toHaveLength(1);
      expect(request?.events[0]?.name).toBe('fraud_check: cleared');
      expect(request?.events[0]?.attributes).toEqual({
        'stepmark.seq': expect.any(Number),
        'stepmark.stage': 'fraud_check',
        'stepmark.action': 'cleared',
        'stepmark.entity.id': 'order_42',
        'stepmark.meta.score': 0.02,
        'stepmark.meta.rules': '["velocity","geo"]',
        'stepmark.meta.reviewer': 'null',
      });
      expect(request?.attributes['stepmark.entity.ids']).toEqual(['order_42']);
    });
  });

  describe('step and stepEntity', () => {
    it('name the stage after the calling function, class method or anonymous function', async () => {
      class OrderService {
        validate(id: string) {
          stepmark.stepEntity(id, 'passed');
        }
        static audit() {
          stepmark.step('audited');
        }
      }
      function reserveStock(id: string) {
        stepmark.stepEntity(id, 'reserved');
      }
      const applyCoupon = () => stepmark.step('applied');
      const trace = await h.request(async () => {
        new OrderService().validate('order_1');
        OrderService.audit();
        reserveStock('order_1');
        applyCoupon();
        await Promise.resolve();
        [1].forEach(() => stepmark.step('in-callback'));
        return stepmark.collect();
      });
      expect(trace?.entities?.order_1?.events.map((e) => e.stage)).toEqual([
        'OrderService.validate',
        'reserveStock',
      ]);
      const stages = trace?.events?.map((e) => e.stage) ?? [];
      expect(stages[0]).toMatch(/audit$/);
      expect(stages[1]).toBe('applyCoupon');
      expect(stages[2]).toMatch(/^anonymous@record\.test\.ts:\d+$/);
    });

    it('do not walk the stack when the entity is filtered out', async () => {
      const walks = vi.spyOn(Error, 'captureStackTrace');
      const trace = await h.request(
        () => {
          stepmark.stepEntity('skip_me', 'x');
          const filtered = walks.mock.calls.length;
          stepmark.stepEntity('keep_me', 'y');
          return { collected: stepmark.collect(), filtered, kept: walks.mock.calls.length };
        },
        { entityFilter: (id) => !id.startsWith('skip') },
      );
      walks.mockRestore();
      expect(trace.filtered).toBe(0);
      expect(trace.kept).toBe(1);
      expect(Object.keys(trace.collected?.entities ?? {})).toEqual(['keep_me']);
    });
  });

  describe('enter and enterEntity', () => {
    it('record entered, then exited with meta.duration_ms, once', async () => {
      function charge() {
        const exit = stepmark.enterEntity('order_9', { amount: 10 });
        exit({ approved: true });
        exit();
      }
      const trace = await h.request(() => {
        charge();
        return stepmark.collect();
      });
      const events = trace?.entities?.order_9?.events ?? [];
      expect(events.map((e) => [e.stage, e.action])).toEqual([
        ['charge', 'entered'],
        ['charge', 'exited'],
      ]);
      expect(events[0]?.meta).toEqual({ amount: 10 });
      expect(events[1]?.meta).toMatchObject({ approved: true });
      expect(typeof events[1]?.meta?.duration_ms).toBe('number');
    });

    it('computes duration_ms from the configured clock and works with `using`', async () => {
      let now = Date.parse('2026-01-01T00:00:00.000Z');
      const clock = () => new Date(now);
      function price() {
        using _exit = stepmark.enter();
        now += 250;
      }
      const trace = await h.request(
        () => {
          price();
          return stepmark.collect();
        },
        { clock },
      );
      expect(trace?.events?.map((e) => [e.stage, e.action, e.timestamp, e.meta])).toEqual([
        ['price', 'entered', '2026-01-01T00:00:00.000Z', undefined],
        ['price', 'exited', '2026-01-01T00:00:00.250Z', { duration_ms: 250 }],
      ]);
    });
  });

  describe('scope', () => {
    it('gives every entity call the scope kind', async () => {
      const orders = stepmark.scope('order');
      function ship() {
        orders.step('order_5', 'shipped');
      }
      function pack() {
        orders.enter('order_5')();
      }
      const trace = await h.request(() => {
        orders.track('order_5', { total: 5 });
        orders.recordEvent('order_5', 'pricing', 'discounted', { pct: 10 });
        ship();
        pack();
        return stepmark.collect();
      });
      const entity = trace?.entities?.order_5;
      expect(entity?.kind).toBe('order');
      expect(entity?.meta).toEqual({ total: 5 });
      expect(entity?.events.map((e) => [e.stage, e.action])).toEqual([
        ['pricing', 'discounted'],
        ['ship', 'shipped'],
        ['pack', 'entered'],
        ['pack', 'exited'],
      ]);
      const kinds = h.exporter
        .getFinishedSpans()
        .flatMap((s) => s.events.map((e) => e.attributes?.['stepmark.entity.kind']));
      expect(new Set(kinds)).toEqual(new Set(['order']));
    });
  });

  describe('collect', () => {
    it('returns independent deep copies that see later events', async () => {
      await h.request(() => {
        stepmark.recordEntity('o', 's', 'a', { nested: { n: 1 } });
        const first = stepmark.collect();
        const meta = first?.entities?.o?.events[0]?.meta as { nested: { n: number } };
        meta.nested.n = 99;
        first?.entities?.o?.events.push({ stage: 'fake', action: 'fake', timestamp: '' });
        stepmark.recordEntity('o', 's', 'b');
        const second = stepmark.collect();
        expect(second?.entities?.o?.events.map((e) => e.action)).toEqual(['a', 'b']);
        expect(second?.entities?.o?.events[0]?.meta).toEqual({ nested: { n: 1 } });
      });
    });
  });

  describe('options', () => {
    it('maxEvents caps events, counts the dropped ones, and does not count track', async () => {
      const trace = await h.request(
        () => {
          for (let i = 0; i < 10; i++) stepmark.track(`e${i % 2}`, { i });
          for (let i = 0; i < 5; i++) stepmark.recordEntity('e0', 's', `a${i}`);
          stepmark.record('r', 'dropped');
          return stepmark.collect();
        },
        { maxEvents: 3 },
      );
      expect(trace?.entities?.e0?.events.map((e) => e.action)).toEqual(['a0', 'a1', 'a2']);
      expect(trace?.events).toBeUndefined();
      expect(trace?.dropped_events).toBe(3);
      expect(trace?.entities?.e1?.meta).toEqual({ i: 9 });
    });

    it('maxEvents 0 means unlimited', async () => {
      const trace = await h.request(
        () => {
          for (let i = 0; i < 12_000; i++) stepmark.record('s', 'a');
          return stepmark.collect();
        },
        { maxEvents: 0 },
      );
      expect(trace?.events).toHaveLength(12_000);
      expect(trace?.dropped_events).toBeUndefined();
    });

    it('traceMeta appears in the JSON and on the local root span', async () => {
      await h.request(
        async () => {
          await h.tracer.startActiveSpan('child', (s) => {
            stepmark.record('child', 'x');
            s.end();
          });
        },
        { traceMeta: { route: '/checkout', tenant: { id: 3 } } },
      );
      const [trace] = await h.traces();
      expect(trace?.meta).toEqual({ route: '/checkout', tenant: { id: 3 } });
      const spans = h.exporter.getFinishedSpans();
      expect(spans.find((s) => s.name === 'request')?.attributes).toMatchObject({
        'stepmark.trace.meta.route': '/checkout',
        'stepmark.trace.meta.tenant': '{"id":3}',
      });
      expect(
        spans.find((s) => s.name === 'child')?.attributes['stepmark.trace.meta.route'],
      ).toBeUndefined();
    });

    it('entityFilter applies to entity calls only, never to record/step/enter', async () => {
      const trace = await h.request(
        () => {
          stepmark.track('user_1');
          stepmark.recordEntity('user_1', 's', 'a');
          stepmark.recordEntity('order_1', 's', 'a');
          stepmark.enterEntity('user_2')();
          stepmark.record('r', 'kept');
          stepmark.step('kept');
          stepmark.enter()();
          return stepmark.collect();
        },
        { entityFilter: (id) => id.startsWith('order_') },
      );
      expect(Object.keys(trace?.entities ?? {})).toEqual(['order_1']);
      expect(trace?.events?.map((e) => e.action)).toEqual(['kept', 'kept', 'entered', 'exited']);
    });

    it('a throwing entityFilter rejects the entity and never reaches the caller', async () => {
      const trace = await h.request(
        () => {
          stepmark.recordEntity('x', 's', 'a');
          return stepmark.collect();
        },
        {
          entityFilter: () => {
            throw new Error('boom');
          },
        },
      );
      expect(trace?.entities).toBeUndefined();
      expect(stepmark.stats().internalErrors).toBeGreaterThan(0);
    });
  });

  describe('concurrency', () => {
    it('records Promise.all branches, timers and event emitters into one trace without loss', async () => {
      const trace = await h.request(async () => {
        const emitter = new EventEmitter();
        emitter.on('paid', (id: string) => stepmark.recordEntity(id, 'payment', 'paid'));
        await Promise.all(
          Array.from({ length: 50 }, async (_, i) => {
            await sleep(i % 3);
            stepmark.recordEntity(`order_${i}`, 'validate', 'ok');
            await new Promise<void>((resolve) =>
              setTimeout(() => {
                stepmark.recordEntity(`order_${i}`, 'timer', 'fired');
                resolve();
              }, 0),
            );
            emitter.emit('paid', `order_${i}`);
          }),
        );
        return stepmark.collect();
      });
      expect(Object.keys(trace?.entities ?? {})).toHaveLength(50);
      for (const entity of Object.values(trace?.entities ?? {})) {
        expect(entity.events.map((e) => e.action)).toEqual(['ok', 'fired', 'paid']);
      }
    });

    it('keeps two concurrent requests apart', async () => {
      const run = (name: string) =>
        h.request(
          async () => {
            for (let i = 0; i < 20; i++) {
              await sleep(0);
              stepmark.recordEntity(`${name}_${i % 2}`, 'loop', String(i));
            }
          },
          { traceMeta: { name } },
        );
      await Promise.all([run('a'), run('b')]);
      const traces = await h.traces();
      expect(traces).toHaveLength(2);
      for (const t of traces) {
        const name = t.meta?.name as string;
        expect(Object.keys(t.entities ?? {}).sort()).toEqual([`${name}_0`, `${name}_1`]);
        const count = Object.values(t.entities ?? {}).reduce((n, e) => n + e.events.length, 0);
        expect(count).toBe(20);
      }
      expect(traces[0]?.trace_id).not.toBe(traces[1]?.trace_id);
    });
  });

  describe('enable and withTracing', () => {
    it('withTracing starts a span named stepmark when none is active and returns fn result', async () => {
      const result = await stepmark.withTracing(async () => {
        expect(stepmark.enabled()).toBe(true);
        stepmark.record('s', 'a');
        return 42;
      });
      expect(result).toBe(42);
      expect(stepmark.withTracing(() => 'sync')).toBe('sync');
      const traces = await h.traces();
      expect(traces.map((t) => t.spans?.map((s) => s.name))).toEqual([['stepmark'], ['stepmark']]);
      expect(traces[0]?.events?.[0]?.action).toBe('a');
      expect(traces[1]?.events).toBeUndefined(); // a traced request that recorded nothing
    });

    it('withTracing records on the active span instead of starting another', async () => {
      await h.tracer.startActiveSpan('http', async (span) => {
        await stepmark.withTracing(() => stepmark.record('s', 'a'));
        span.end();
      });
      const [trace] = await h.traces();
      expect(trace?.spans?.map((s) => s.name)).toEqual(['http']);
      expect(h.exporter.getFinishedSpans().map((s) => s.name)).toEqual(['http']);
    });

    it('withTracing passes errors of fn through and marks its span as error', async () => {
      await expect(
        stepmark.withTracing(async () => {
          stepmark.record('s', 'before-error');
          throw new Error('user error');
        }),
      ).rejects.toThrow('user error');
      expect(() =>
        stepmark.withTracing(() => {
          throw new TypeError('sync');
        }),
      ).toThrow(TypeError);
      const traces = await h.traces();
      expect(traces[0]?.spans?.[0]?.status).toBe('error');
      expect(traces[0]?.events?.[0]?.action).toBe('before-error');
    });

    it('enable() with no span still gets the events into the trace', async () => {
      const { context } = await import('@opentelemetry/api');
      await context.with(stepmark.enable({ traceMeta: { via: 'enable' } }), async () => {
        stepmark.record('before', 'any-span');
        await h.tracer.startActiveSpan('late-root', async (span) => {
          stepmark.record('inside', 'span');
          span.end();
        });
      });
      const [trace] = await h.traces();
      expect(trace?.events?.map((e) => e.action)).toEqual(['any-span', 'span']);
      const root = h.exporter.getFinishedSpans().find((s) => s.name === 'late-root');
      expect(root?.events.map((e) => e.attributes?.['stepmark.action'])).toEqual([
        'span',
        'any-span',
      ]);
      expect(trace?.events?.[0]?.span_id).toBe(root?.spanContext().spanId);
    });

    it('enabling inside a span that started earlier (a middleware) records on it', async () => {
      const { context } = await import('@opentelemetry/api');
      await h.tracer.startActiveSpan('GET /orders', async (span) => {
        await h.tracer.startActiveSpan('auth', (auth) => auth.end()); // ended before enabling
        await context.with(stepmark.enable(), async () => {
          stepmark.recordEntity('order_1', 'lookup', 'found');
          await h.tracer.startActiveSpan('db', (db) => {
            stepmark.recordEntity('order_1', 'db', 'read');
            db.end();
          });
        });
        span.end();
      });
      const [trace] = await h.traces();
      expect(trace?.entities?.order_1?.events.map((e) => e.action)).toEqual(['found', 'read']);
      expect(trace?.spans?.map((s) => s.name)).toEqual(['db', 'GET /orders']);
      const root = h.exporter.getFinishedSpans().find((s) => s.name === 'GET /orders');
      expect(root?.events.map((e) => e.attributes?.['stepmark.action'])).toEqual(['found']);
    });

    it('a nested enable joins the request already recording', async () => {
      const { context } = await import('@opentelemetry/api');
      await h.request(async () => {
        stepmark.record('outer', 'a');
        await context.with(stepmark.enable({ maxEvents: 1 }), () => stepmark.record('inner', 'b'));
      });
      const traces = await h.traces();
      expect(traces).toHaveLength(1);
      expect(traces[0]?.events?.map((e) => e.action)).toEqual(['a', 'b']);
    });
  });
});
