// The scenarios for tasks and regions: where spans and decisions land in the JSON, in
// the exported spans, and in a trace rebuilt from what Jaeger stored.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import type { Trace } from '../../src/index.js';
import { rebuildTraces } from '../../src/jaeger/index.js';
import { region, startTask, task, taskAndRegionOf } from '../../src/runtime/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';
import { toOtlpJson, type FinishedSpan } from '../support/otlpJson.js';
import { spanNamed, eventSpans } from './traceSpans.js';

let h: Harness;
beforeEach(() => {
  h = setupOtel();
});
afterEach(() => h.teardown());

describe('stepmark-otel/runtime', () => {
  it('a region inside a task inside a request: three nested spans with the decisions on the right one', async () => {
    await h.request(async () => {
      stepmark.record('request', 'received');
      await task('checkout', async () => {
        stepmark.record('task', 'started');
        await region('pricing', async () => {
          stepmark.recordEntity('order_42', 'pricing', 'discounted', { pct: 10 });
          await Promise.resolve();
          stepmark.record('region', 'priced');
        });
        stepmark.record('task', 'done');
      });
      stepmark.record('request', 'answered');
    });
    const [trace] = await h.traces();
    const request = spanNamed(trace, 'request');
    const checkout = spanNamed(trace, 'checkout');
    const pricing = spanNamed(trace, 'pricing');
    expect(request.kind).toBeUndefined();
    expect(checkout).toMatchObject({ kind: 'task', parent_id: request.span_id });
    expect(pricing).toMatchObject({ kind: 'region', parent_id: checkout.span_id });
    // The kind is the span's `kind`, not repeated among its tags.
    expect(pricing.tags?.['stepmark.runtime.kind']).toBeUndefined();
    expect(eventSpans(trace)).toEqual([
      ['received', 'request'],
      ['started', 'checkout'],
      ['priced', 'pricing'],
      ['done', 'checkout'],
      ['answered', 'request'],
    ]);
    const decision = trace?.entities?.order_42?.events[0];
    expect(decision?.span_id).toBe(pricing.span_id);
    // Which task and region a decision was recorded in: named on it, and from its span_id.
    expect(decision).toMatchObject({ task: 'checkout', region: 'pricing' });
    expect(trace?.events?.map((e) => [e.action, e.task ?? '-', e.region ?? '-'])).toEqual([
      ['received', '-', '-'],
      ['started', 'checkout', '-'],
      ['priced', 'checkout', 'pricing'],
      ['done', 'checkout', '-'],
      ['answered', '-', '-'],
    ]);
    const where = taskAndRegionOf(trace as Trace, decision?.span_id);
    expect([where.task?.name, where.region?.name]).toEqual(['checkout', 'pricing']);
    // What a trace UI sees: the span events on the spans, the kind as a span attribute.
    const exported = h.exporter.getFinishedSpans();
    const onPricing = exported.find((s) => s.name === 'pricing');
    expect(onPricing?.attributes['stepmark.runtime.kind']).toBe('region');
    expect(onPricing?.instrumentationScope.name).toBe('stepmark-otel/runtime');
    expect(onPricing?.events.map((e) => e.name)).toEqual(['pricing: discounted', 'region: priced']);
    expect(exported.find((s) => s.name === 'checkout')?.attributes['stepmark.runtime.kind']).toBe(
      'task',
    );
  });

  it('a trace rebuilt from Jaeger shows the same kinds and the same spans of the decisions', async () => {
    await h.request(() =>
      task('batch', () => {
        region('load', () => stepmark.record('load', 'read', { rows: 3 }));
        task('row', () => region('save', () => stepmark.recordEntity('row_1', 'save', 'written')));
      }),
    );
    const [live] = await h.traces();
    const spans = h.exporter.getFinishedSpans() as unknown as FinishedSpan[];
    const [rebuilt] = rebuildTraces(toOtlpJson(spans, 'importer'));
    const kinds = (t: Trace | undefined) =>
      Object.fromEntries((t?.spans ?? []).map((s) => [s.name, s.kind ?? null]));
    expect(kinds(rebuilt)).toEqual({
      request: null,
      batch: 'task',
      load: 'region',
      row: 'task',
      save: 'region',
    });
    expect(kinds(rebuilt)).toEqual(kinds(live));
    expect(eventSpans(rebuilt)).toEqual([['read', 'load']]);
    const saved = rebuilt?.entities?.row_1?.events[0];
    const where = taskAndRegionOf(rebuilt as Trace, saved?.span_id);
    expect([where.task?.name, where.region?.name]).toEqual(['row', 'save']);
  });

  it('subtasks: a task started inside a task is its child, and the region of the outer task is not the inner one’s', async () => {
    await h.request(() =>
      task('order', () =>
        region('ship', () =>
          task('label', () => {
            stepmark.record('label', 'printed');
          }),
        ),
      ),
    );
    const [trace] = await h.traces();
    const label = spanNamed(trace, 'label');
    expect(label).toMatchObject({ kind: 'task', parent_id: spanNamed(trace, 'ship').span_id });
    const where = taskAndRegionOf(trace as Trace, trace?.events?.[0]?.span_id);
    expect(where.task?.name).toBe('label');
    expect(where.region).toBeUndefined();
  });

  it('a task started in one function and continued from others (startTask, run)', async () => {
    await h.request(async () => {
      let job = startTask('nightly');
      const started = () => {
        job = startTask('sync');
        return job;
      };
      job.end(); // an empty task
      const sync = started();
      await sync.run(async () => {
        stepmark.record('sync', 'first-batch');
        await Promise.resolve();
      });
      // Later, from another callback: still the same task.
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          sync.run(() => stepmark.record('sync', 'second-batch'));
          resolve();
        }),
      );
      stepmark.record('request', 'outside');
      sync.end();
    });
    const [trace] = await h.traces();
    expect(eventSpans(trace)).toEqual([
      ['first-batch', 'sync'],
      ['second-batch', 'sync'],
      ['outside', 'request'],
    ]);
    expect(spanNamed(trace, 'nightly').kind).toBe('task');
    expect(spanNamed(trace, 'sync').open).toBeUndefined();
  });

  it('returns what fn returns, sync and async, and marks the span as an error when it throws', async () => {
    await h.request(async () => {
      expect(task('sync', () => 42)).toBe(42);
      await expect(region('async', async () => 'done')).resolves.toBe('done');
      expect(() =>
        region('throws', () => {
          throw new Error('boom');
        }),
      ).toThrow('boom');
      await expect(task('rejects', () => Promise.reject(new Error('late')))).rejects.toThrow(
        'late',
      );
    });
    const [trace] = await h.traces();
    expect(spanNamed(trace, 'sync').status).toBeUndefined();
    expect(spanNamed(trace, 'throws').status).toBe('error');
    expect(spanNamed(trace, 'rejects').status).toBe('error');
  });
});
