// Tail rules (issue 11): a sink keeps only what matters, and what a rule drops is counted.
import { describe, expect, it } from 'vitest';
import { InMemorySink, keepWhen } from '../../src/export/index.js';
import * as stepmark from '../../src/index.js';
import type { Trace } from '../../src/index.js';
import { setupOtel } from '../support/otelHarness.js';

const at = '2026-12-01T10:00:00.000Z';
const accepted: Trace = {
  trace_id: 'a',
  entities: {
    order_42: {
      entity_id: 'order_42',
      events: [{ stage: 'checkout', action: 'accepted', timestamp: at }],
    },
  },
  spans: [{ span_id: 'r', name: 'POST /checkout', start_time: at, end_time: at, duration_ms: 40 }],
};
const rejected: Trace = {
  trace_id: 'b',
  entities: {
    order_43: {
      entity_id: 'order_43',
      events: [{ stage: 'fraud_check', action: 'rejected', timestamp: at }],
    },
  },
};
const failed: Trace = {
  trace_id: 'c',
  spans: [
    { span_id: 'r', name: 'GET /', start_time: at, end_time: at, duration_ms: 1 },
    {
      span_id: 'd',
      parent_id: 'r',
      name: 'db',
      start_time: at,
      end_time: at,
      duration_ms: 1,
      status: 'error',
    },
  ],
};
const slow: Trace = {
  trace_id: 'd',
  spans: [
    { span_id: 'r', name: 'GET /report', start_time: at, end_time: at, duration_ms: 900 },
    // A remote parent's child is the request too; a child's own duration does not count twice.
    {
      span_id: 'c',
      parent_id: 'r',
      name: 'render',
      start_time: at,
      end_time: at,
      duration_ms: 800,
    },
  ],
};
const requestLevel: Trace = {
  trace_id: 'e',
  events: [{ stage: 'auth', action: 'rejected', timestamp: at }],
};

describe('keepWhen', () => {
  it('keeps a trace when any condition holds', () => {
    const keep = keepWhen({ actions: ['rejected', 'blocked'], errors: true, slowerThanMs: 500 });
    expect([accepted, rejected, failed, slow, requestLevel].map(keep)).toEqual([
      false,
      true,
      true,
      true,
      true,
    ]);
    expect(keepWhen({ slowerThanMs: 30 })(accepted)).toBe(true);
    expect(keepWhen({ incomplete: true })({ trace_id: 'x', incomplete: 'ttl' })).toBe(true);
    expect(keepWhen({ incomplete: true })(accepted)).toBe(false);
  });

  it('reads any shape without throwing', () => {
    const keep = keepWhen({ actions: ['rejected'], errors: true, slowerThanMs: 1 });
    for (const junk of [
      null,
      5,
      {},
      { entities: 5 },
      { entities: { x: null } },
      { spans: [null, 5] },
      { events: 'x' },
    ])
      expect(keep(junk as never)).toBe(false);
  });

  it.each([
    ['no condition', {}],
    ['actions as a string', { actions: 'rejected' }],
    ['an empty action', { actions: [''] }],
    ['a negative threshold', { slowerThanMs: -1 }],
    ["a threshold '500'", { slowerThanMs: '500' }],
    ['errors: 1', { errors: 1 }],
  ])('refuses %s where it is given', (_label, options) => {
    expect(() => keepWhen(options as never)).toThrow(/stepmark-otel: keepWhen/);
  });

  it('is applied by the processor per sink, and what it drops is counted in stats().tracesNotKept', async () => {
    const onlyRejected = new InMemorySink({ keep: keepWhen({ actions: ['rejected'] }) });
    const all = new InMemorySink();
    const h = setupOtel({ processor: { mode: 'always', sinks: [onlyRejected, all] } });
    try {
      for (const action of ['accepted', 'rejected', 'accepted']) {
        h.tracer.startActiveSpan('POST /checkout', (span) => {
          stepmark.recordEntity('order', 'checkout', action);
          span.end();
        });
      }
      h.tracer.startActiveSpan('GET /health', (span) => span.end()); // flow mode: no decision
      await h.traces();
      expect(all.traces).toHaveLength(4);
      expect(onlyRejected.traces.map((t) => t.entities?.order?.events[0]?.action)).toEqual([
        'rejected',
      ]);
      expect(h.processor.stats().tracesNotKept).toBe(3);
    } finally {
      await h.teardown();
    }
  });

  it('keeps the trace when a rule throws, and counts the throw as a sink error', async () => {
    const sink = new InMemorySink();
    Object.assign(sink, {
      keep: () => {
        throw new Error('rule broke');
      },
    });
    const h = setupOtel({ processor: { mode: 'always', sinks: [sink] } });
    try {
      h.tracer.startActiveSpan('GET /', (span) => span.end());
      await h.traces();
      expect(sink.traces).toHaveLength(1);
      expect(h.processor.stats().sinkErrors).toBe(1);
      expect(h.processor.stats().tracesNotKept).toBe(0);
    } finally {
      await h.teardown();
    }
  });
});
