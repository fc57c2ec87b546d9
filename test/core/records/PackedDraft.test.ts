import { context, trace } from '@opentelemetry/api';
import { sdk } from '#otel-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveOptions } from '../../../src/core/options.js';
import { PackedDraft } from '../../../src/core/records/PackedDraft.js';
import { RecordLog } from '../../../src/core/session/RecordLog.js';
import * as stepmark from '../../../src/index.js';

describe('PackedDraft', () => {
  it('gives the JSON its draft gives: entities, kinds, meta, events in order, logs, counters', () => {
    const log = new RecordLog(
      resolveOptions({ traceMeta: { route: '/checkout' }, maxEntities: 2, maxEvents: 6 }),
    );
    log.track('order_1', { total: 5 }, 'order');
    log.decision('order_1', true, 'fraud', 'cleared', { score: 0.02 }, undefined);
    log.decision(undefined, false, 'cache', 'miss', undefined, undefined);
    log.decision('user_1', true, 'login', 'ok', { nested: { a: [1, 2] } }, 'user');
    log.decision('order_1', true, 'payment', 'captured', undefined, undefined);
    log.decision('third', true, 's', 'a', undefined, undefined); // past maxEntities: counted
    log.decision('', true, 's', 'a', undefined, undefined); // invalid id: counted
    log.decision(undefined, false, 'cache', 'hit', undefined, undefined);
    log.log({
      category: 'cache',
      message: 'warm',
      meta: { keys: 3 },
      task: 'job',
      region: undefined,
    });
    log.decision(undefined, false, 'over', 'cap', undefined, undefined); // past maxEvents
    const live = log.draft.toTrace('t1', true);
    expect(live.entities?.order_1?.events).toHaveLength(2);
    expect(live.logs).toEqual([
      expect.objectContaining({
        category: 'cache',
        message: 'warm',
        meta: { keys: 3 },
        task: 'job',
      }),
    ]);
    expect(live).toMatchObject({ dropped_entities: 1, invalid_calls: 1, dropped_events: 1 });
    const packed = new PackedDraft(log.draft, 't1');
    expect(packed.toTrace('t1', true)).toEqual(live);
    expect(packed.toTrace('t1', false)).toEqual(live);
    // With copy, the caller may change what it got.
    const copy = packed.toTrace('t1', true);
    copy.entities!.user_1!.events[0]!.meta!.nested = 'changed';
    copy.logs![0]!.meta!.keys = 0;
    expect(packed.toTrace('t1', true)).toEqual(live);
  });

  describe('in a processor with no consumer', () => {
    let shutdown: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await shutdown?.();
      trace.disable();
      context.disable();
    });

    it('collect and recent return, after the end, what collect returned at its end', async () => {
      const processor = new stepmark.StepmarkSpanProcessor(); // no onFinish, no sink
      const provider = sdk.createProvider({ spanProcessors: [processor] });
      context.setGlobalContextManager(sdk.createContextManager().enable());
      trace.setGlobalTracerProvider(provider);
      shutdown = async () => {
        await processor.shutdown();
        await provider.shutdown();
      };
      let atEnd: stepmark.Trace | undefined;
      await provider.getTracer('t').startActiveSpan('request', async (span) => {
        await context.with(stepmark.enable({ traceMeta: { i: 1 } }), async () => {
          stepmark.track('order_1', { total: 5 }, { kind: 'order' });
          stepmark.recordEntity('order_1', 'fraud', 'cleared', { score: 0.02 });
          await Promise.resolve();
          stepmark.record('cache', 'miss');
          atEnd = stepmark.collect();
        });
        span.end();
      });
      const id = atEnd?.trace_id ?? '';
      const later = processor.collect(id);
      expect(later?.spans?.map((s) => s.name)).toEqual(['request']);
      const { spans: _spans, ...decisions } = later ?? { trace_id: '' };
      // collect() inside the request saw the events before they were written on the span (no
      // span_id, the call-time clock); after the end each has its span and the span's time.
      const strip = (t: stepmark.Trace) =>
        JSON.parse(
          JSON.stringify(t, (k, v) => (k === 'span_id' || k === 'timestamp' ? undefined : v)),
        );
      expect(strip(decisions)).toEqual(strip(atEnd!));
      expect(processor.recent().map((t) => t.trace_id)).toEqual([id]);
    });
  });
});
