import {
  context,
  diag,
  propagation,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
  type Context,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { isTracingSuppressed } from '@opentelemetry/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetWarnings } from '../../src/core/diagnostics.js';
import { captureDiag } from '../support/diagCapture.js';
import { DeliveryPipeline } from '../../src/processor/DeliveryPipeline.js';
import type { TraceConsumer } from '../../src/processor/TraceConsumer.js';
import { sinkConsumer } from '../../src/processor/TraceConsumer.js';
import type { Trace } from '../../src/types.js';

/** What the diag logger received at WARN. */
let warnings: string[] = [];

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  context.disable();
});
beforeEach(() => {
  resetWarnings();
  warnings = captureDiag().messages;
});
afterEach(() => {
  vi.useRealTimers();
  diag.disable();
  resetWarnings();
});

const traceOf = (n: number) => ({ trace_id: `t${n}` }) as unknown as Trace;

/** A consumer that keeps what it receives. */
function collecting(name = 'healthy'): TraceConsumer & { got: Trace[] } {
  const got: Trace[] = [];
  return { name, got, consume: (t) => void got.push(t) };
}

/** A consumer whose exports never settle. */
const hung = (name = 'hung'): TraceConsumer => ({ name, consume: () => new Promise(() => {}) });

/** A promise with its resolve, to settle exports when the test says so. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Whether `promise` has settled after the microtasks queued so far have run. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return settled;
}

describe('DeliveryPipeline', () => {
  describe('.deliver', () => {
    it('returns before any consumer runs, and delivers in a microtask', async () => {
      const sink = collecting();
      const pipeline = new DeliveryPipeline([sink]);
      pipeline.deliver(() => traceOf(1));
      expect(sink.got).toEqual([]);
      await Promise.resolve();
      expect(sink.got).toEqual([traceOf(1)]);
    });

    it('gives a healthy consumer every trace while a hung one is capped and counted', async () => {
      const sink = collecting();
      const pipeline = new DeliveryPipeline([hung(), sink]);
      for (let i = 0; i < 1_500; i++) pipeline.deliver(() => traceOf(i));
      await pipeline.forceFlush(0);
      expect(sink.got).toHaveLength(1_500);
      expect(pipeline.stats()).toEqual({
        delivered: 2_500,
        dropped: 500,
        errors: 0,
        timeouts: 1, // the hung consumer missed the flush bound
        pending: 1_000,
      });
      expect(warnings).toEqual([
        'stepmark-otel: "hung" has 1000 exports pending; traces for it are dropped',
        'stepmark-otel: "hung" did not complete forceFlush within 0 ms',
      ]);
    });

    it('counts a throwing and a rejecting consumer, and still reaches the others', async () => {
      const sink = collecting();
      const pipeline = new DeliveryPipeline([
        {
          name: 'throws',
          consume: () => {
            throw new Error('sync');
          },
        },
        { name: 'rejects', consume: () => Promise.reject(new Error('async')) },
        sink,
      ]);
      pipeline.deliver(() => traceOf(1));
      pipeline.deliver(() => traceOf(2));
      await pipeline.forceFlush();
      expect(sink.got).toEqual([traceOf(1), traceOf(2)]);
      expect(pipeline.stats()).toMatchObject({ delivered: 6, errors: 4, pending: 0 });
      // Once per kind, not once per event.
      expect(warnings).toEqual([
        'stepmark-otel: "throws" failed on a finished trace',
        'stepmark-otel: "rejects" failed on a finished trace',
      ]);
    });

    it('runs build and consumers with tracing suppressed, no span and no baggage', async () => {
      const seen: { where: string; span: boolean; baggage: boolean; suppressed: boolean }[] = [];
      const look = (where: string, active: Context = context.active()) =>
        void seen.push({
          where,
          span: trace.getSpan(active) !== undefined,
          baggage: propagation.getBaggage(active) !== undefined,
          suppressed: isTracingSuppressed(active),
        });
      const pipeline = new DeliveryPipeline([
        { name: 'sync', consume: () => look('consume') },
        {
          name: 'async',
          consume: async () => {
            await new Promise((r) => setTimeout(r, 1));
            look('after await');
          },
          shutdown: () => look('shutdown'),
        },
      ]);
      const span = trace.wrapSpanContext({
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceFlags: TraceFlags.SAMPLED,
      });
      const baggage = propagation.createBaggage({ stepmark: { value: '1' } });
      const request = propagation.setBaggage(trace.setSpan(ROOT_CONTEXT, span), baggage);
      context.with(request, () => {
        look('request');
        pipeline.deliver(() => {
          look('build');
          return traceOf(1);
        });
      });
      await pipeline.shutdown();
      const clean = { span: false, baggage: false, suppressed: true };
      expect(seen).toEqual([
        { where: 'request', span: true, baggage: true, suppressed: false },
        { where: 'build', ...clean },
        { where: 'consume', ...clean },
        { where: 'after await', ...clean },
        { where: 'shutdown', ...clean },
      ]);
    });

    it('times out an export that never settles, frees its slot and counts it', async () => {
      vi.useFakeTimers();
      const calls: number[] = [];
      const slow: TraceConsumer = {
        name: 'slow',
        consume: (t) => {
          calls.push(Number(t.trace_id.slice(1)));
          return new Promise(() => {});
        },
      };
      const pipeline = new DeliveryPipeline([slow], {
        maxPendingPerConsumer: 1,
        exportTimeoutMs: 1_000,
      });
      pipeline.deliver(() => traceOf(1));
      pipeline.deliver(() => traceOf(2)); // over the cap of 1: dropped
      await vi.advanceTimersByTimeAsync(999);
      expect(pipeline.stats()).toMatchObject({ delivered: 1, dropped: 1, timeouts: 0, pending: 1 });
      await vi.advanceTimersByTimeAsync(1);
      expect(pipeline.stats()).toMatchObject({ timeouts: 1, pending: 0 });
      pipeline.deliver(() => traceOf(3)); // the slot is free again
      await vi.advanceTimersByTimeAsync(0);
      expect(calls).toEqual([1, 3]);
      expect(pipeline.stats()).toMatchObject({ delivered: 2, dropped: 1, timeouts: 1, pending: 1 });
      expect(warnings).toContain(
        'stepmark-otel: "slow" did not settle an export within 1000 ms; its slot is freed',
      );
    });

    it('times out each export at its own deadline', async () => {
      vi.useFakeTimers();
      const pipeline = new DeliveryPipeline([hung()], { exportTimeoutMs: 1_000 });
      pipeline.deliver(() => traceOf(1));
      await vi.advanceTimersByTimeAsync(400);
      pipeline.deliver(() => traceOf(2));
      await vi.advanceTimersByTimeAsync(600);
      expect(pipeline.stats()).toMatchObject({ timeouts: 1, pending: 1 });
      await vi.advanceTimersByTimeAsync(399);
      expect(pipeline.stats()).toMatchObject({ timeouts: 1, pending: 1 });
      await vi.advanceTimersByTimeAsync(1);
      expect(pipeline.stats()).toMatchObject({ timeouts: 2, pending: 0 });
    });

    it('leaves no timer to keep the process alive while exports are pending', () => {
      const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const pipeline = new DeliveryPipeline([hung()]);
      pipeline.deliver(() => traceOf(1));
      return Promise.resolve().then(() => {
        expect(pipeline.stats().pending).toBe(1);
        const after = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
        expect(after).toBe(before);
      });
    });

    it('counts a build that throws, delivers nothing for it, and goes on with the next', async () => {
      const sink = collecting();
      const pipeline = new DeliveryPipeline([sink]);
      pipeline.deliver(() => {
        throw new Error('bad assembly');
      });
      pipeline.deliver(() => undefined); // nothing to deliver: no consumer call
      pipeline.deliver(() => traceOf(3));
      await pipeline.forceFlush();
      expect(sink.got).toEqual([traceOf(3)]);
      expect(pipeline.stats()).toMatchObject({ delivered: 1, errors: 1 });
      expect(warnings).toEqual(['stepmark-otel: building a finished trace failed']);
    });

    it('still runs build after shutdown, but gives consumers nothing', async () => {
      const sink = collecting();
      const pipeline = new DeliveryPipeline([sink]);
      pipeline.deliver(() => traceOf(1));
      const shutdown = pipeline.shutdown(); // traces delivered before it are still consumed
      await shutdown;
      let built = 0;
      pipeline.deliver(() => (built++, traceOf(2)));
      await pipeline.forceFlush();
      expect(built).toBe(1);
      expect(sink.got).toEqual([traceOf(1)]);
      expect(pipeline.stats()).toMatchObject({ delivered: 1, dropped: 1 });
    });
  });

  describe('.forceFlush', () => {
    it('waits for pending exports, then calls each consumer forceFlush', async () => {
      const steps: string[] = [];
      const write = deferred();
      const pipeline = new DeliveryPipeline([
        {
          name: 'async',
          consume: () => write.promise.then(() => void steps.push('written')),
          forceFlush: () => void steps.push('flushed'),
        },
      ]);
      pipeline.deliver(() => traceOf(1));
      const flush = pipeline.forceFlush();
      expect(await isSettled(flush)).toBe(false);
      write.resolve();
      await flush;
      expect(steps).toEqual(['written', 'flushed']);
      expect(pipeline.stats()).toMatchObject({ delivered: 1, pending: 0, errors: 0 });
    });

    it('returns within its timeout when a consumer hangs, having flushed the others', async () => {
      vi.useFakeTimers();
      const flushed: string[] = [];
      const pipeline = new DeliveryPipeline([
        { ...hung('hung export'), forceFlush: () => void flushed.push('hung export') },
        { name: 'hung flush', consume: () => undefined, forceFlush: () => new Promise(() => {}) },
        { name: 'healthy', consume: () => undefined, forceFlush: () => void flushed.push('ok') },
      ]);
      pipeline.deliver(() => traceOf(1));
      const flush = pipeline.forceFlush(5_000);
      await vi.advanceTimersByTimeAsync(4_999);
      expect(await isSettled(flush)).toBe(false);
      expect(flushed).toEqual(['ok']);
      await vi.advanceTimersByTimeAsync(1);
      expect(await isSettled(flush)).toBe(true);
      expect(pipeline.stats()).toMatchObject({ timeouts: 2, pending: 1 });
      expect(warnings).toEqual([
        'stepmark-otel: "hung export" did not complete forceFlush within 5000 ms',
        'stepmark-otel: "hung flush" did not complete forceFlush within 5000 ms',
      ]);
    });

    it('never rejects when a consumer forceFlush throws or rejects', async () => {
      const pipeline = new DeliveryPipeline([
        {
          name: 'throws',
          consume: () => undefined,
          forceFlush: () => {
            throw new Error('sync');
          },
        },
        {
          name: 'rejects',
          consume: () => undefined,
          forceFlush: () => Promise.reject(new Error('x')),
        },
      ]);
      await expect(pipeline.forceFlush()).resolves.toBeUndefined();
      expect(pipeline.stats().errors).toBe(2);
    });
  });

  describe('.shutdown', () => {
    it('returns the first call’s promise on a second call, resolved only after its work', async () => {
      const closing = deferred();
      const shutdowns: string[] = [];
      const pipeline = new DeliveryPipeline([
        {
          name: 'slow close',
          consume: () => undefined,
          shutdown: () => (shutdowns.push('slow close'), closing.promise),
        },
      ]);
      const first = pipeline.shutdown();
      const second = pipeline.shutdown();
      expect(second).toBe(first);
      expect(pipeline.forceFlush()).toBe(first);
      expect(await isSettled(second)).toBe(false);
      closing.resolve();
      await second;
      expect(shutdowns).toEqual(['slow close']);
    });

    it('flushes, then shuts every consumer down, bounded when one hangs', async () => {
      vi.useFakeTimers();
      const steps: string[] = [];
      const pipeline = new DeliveryPipeline([
        { name: 'hung', consume: () => undefined, shutdown: () => new Promise(() => {}) },
        sinkConsumer(
          {
            export: () => Promise.resolve(),
            forceFlush: async () => void steps.push('forceFlush'),
            shutdown: async () => void steps.push('shutdown'),
          },
          1,
        ),
      ]);
      pipeline.deliver(() => traceOf(1));
      const shutdown = pipeline.shutdown(1_000);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(await isSettled(shutdown)).toBe(true);
      expect(steps).toEqual(['forceFlush', 'shutdown']);
      expect(pipeline.stats()).toMatchObject({ delivered: 2, timeouts: 1, pending: 0 });
      expect(warnings).toEqual(['stepmark-otel: "hung" did not complete shutdown within 1000 ms']);
    });
  });

  describe('constructor', () => {
    it('rejects wrong options at creation, naming them', () => {
      expect(() => new DeliveryPipeline([], { maxPendingPerConsumer: 0 })).toThrow(
        /maxPendingPerConsumer/,
      );
      expect(() => new DeliveryPipeline([], { exportTimeoutMs: Number.NaN })).toThrow(RangeError);
      expect(() => new DeliveryPipeline([{ name: 'x' } as TraceConsumer])).toThrow(TypeError);
      expect(new DeliveryPipeline([]).hasConsumers).toBe(false);
    });
  });
});
