import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import type { Trace } from '../../src/index.js';
import { log, region, startRegion, task } from '../../src/runtime/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

let h: Harness;
beforeEach(() => {
  h = setupOtel();
});
afterEach(() => h.teardown());

const spanId = (trace: Trace | undefined, name: string) =>
  trace?.spans?.find((s) => s.name === name)?.span_id;

describe('log', () => {
  it('names the task and the innermost region it was written in, on the span active there', async () => {
    await h.request(() => {
      log('request', 'received');
      task('checkout', () => {
        log('checkout', 'started', { items: 3 });
        region('payment', () =>
          region('card', () => {
            log('card', 'authorized', { amount: 42.5, card: { brand: 'visa' } });
            stepmark.span('bank-call', () => log('bank', 'called'));
          }),
        );
      });
      region('outside-task', () => log('misc', 'in a region of no task'));
    });
    const [trace] = await h.traces();
    expect(trace?.logs?.map(({ timestamp: _t, ...rest }) => rest)).toEqual([
      { category: 'request', message: 'received', span_id: spanId(trace, 'request') },
      {
        category: 'checkout',
        message: 'started',
        meta: { items: 3 },
        span_id: spanId(trace, 'checkout'),
        task: 'checkout',
      },
      {
        category: 'card',
        message: 'authorized',
        meta: { amount: 42.5, card: { brand: 'visa' } },
        span_id: spanId(trace, 'card'),
        task: 'checkout',
        region: 'card',
      },
      // A plain span inside the region: the log is on it, and still in the task and region.
      {
        category: 'bank',
        message: 'called',
        span_id: spanId(trace, 'bank-call'),
        task: 'checkout',
        region: 'card',
      },
      {
        category: 'misc',
        message: 'in a region of no task',
        span_id: spanId(trace, 'outside-task'),
        region: 'outside-task',
      },
    ]);
    expect(trace?.logs?.every((l) => !Number.isNaN(Date.parse(l.timestamp)))).toBe(true);
    // Logs are not decisions: the request's decision count does not include them.
    expect(trace?.events).toBeUndefined();
  });

  it('is a span event `<category>: <message>` with its attributes', async () => {
    await h.request(() =>
      task('job', () =>
        region('phase', () => {
          log('cache', 'miss', { key: 'prices:eu', password: 'hunter2' });
          log('', 'no category');
        }),
      ),
    );
    const phase = h.exporter.getFinishedSpans().find((s) => s.name === 'phase');
    expect(phase?.events.map((e) => e.name)).toEqual(['cache: miss', 'no category']);
    expect(phase?.events[0]?.attributes).toMatchObject({
      'stepmark.log.category': 'cache',
      'stepmark.log.message': 'miss',
      'stepmark.log.task': 'job',
      'stepmark.log.region': 'phase',
      'stepmark.meta.key': 'prices:eu',
      'stepmark.meta.password': '[REDACTED]',
    });
    expect(typeof phase?.events[0]?.attributes?.['stepmark.seq']).toBe('number');
  });

  it('counts toward maxEvents, as decisions do', async () => {
    await h.request(
      () => {
        stepmark.record('a', 'decision');
        log('a', 'kept');
        log('a', 'dropped');
      },
      { maxEvents: 2 },
    );
    const [trace] = await h.traces();
    expect(trace?.logs?.map((l) => l.message)).toEqual(['kept']);
    expect(trace?.dropped_events).toBe(1);
  });

  it('is seen by collect() during the request, and by recent() after it', async () => {
    const collected = await h.collected(() => {
      const r = startRegion('phase');
      r.run(() => log('phase', 'one'));
    });
    expect(collected.logs).toEqual([
      expect.objectContaining({ category: 'phase', message: 'one', region: 'phase' }),
    ]);
    const [delivered] = await h.traces();
    expect(h.processor.recent(1)[0]?.logs).toEqual(delivered?.logs);
  });

  it('traces from several sessions of one trace id merge their logs in time order', async () => {
    const merged = stepmark.mergeTraces('t1', [
      {
        trace_id: 't1',
        logs: [{ category: 'b', message: '2', timestamp: '2024-01-01T00:00:02.000Z' }],
      },
      {
        trace_id: 't1',
        logs: [
          { category: 'a', message: '1', timestamp: '2024-01-01T00:00:01.000Z' },
          'not a log' as never,
        ],
      },
    ]);
    expect(merged.logs?.map((l) => l.message)).toEqual(['1', '2']);
  });
});
