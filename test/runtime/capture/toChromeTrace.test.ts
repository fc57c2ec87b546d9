// Issue 13: `toChromeTrace` writes the Chrome trace event format that Perfetto and
// chrome://tracing open. Perfetto's binaries cannot be fetched here, so every output is held to
// the format's structural check (test/support/chromeTraceFormat.ts), nesting of slices included.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../../src/index.js';
import type { Trace } from '../../../src/index.js';
import {
  log,
  region,
  startCapture,
  task,
  toChromeTrace,
  type ChromeTrace,
  type ChromeTraceEvent,
} from '../../../src/runtime/index.js';
import { chromeTraceProblems } from '../../support/chromeTraceFormat.js';
import { setupOtel, type Harness } from '../../support/otelHarness.js';

const T0 = Date.parse('2025-01-01T12:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

/** A span of a synthetic trace: `start` and `duration` in ms after T0. */
function span(
  id: string,
  parent: string | undefined,
  name: string,
  start: number,
  duration: number,
  extra: Record<string, unknown> = {},
) {
  return {
    span_id: id,
    ...(parent === undefined ? {} : { parent_id: parent }),
    name,
    start_time: at(start),
    end_time: at(start + duration),
    duration_ms: duration,
    ...extra,
  };
}

function threadNames(doc: ChromeTrace): Map<number, string> {
  return new Map(
    doc.traceEvents
      .filter((e) => e.ph === 'M' && e.name === 'thread_name')
      .map((e) => [e.tid, String(e.args?.name)]),
  );
}

const named = (doc: ChromeTrace, name: string): ChromeTraceEvent[] =>
  doc.traceEvents.filter((e) => e.name === name && e.ph !== 'M');

describe('toChromeTrace', () => {
  describe('a capture', () => {
    let h: Harness;
    beforeEach(() => {
      h = setupOtel();
    });
    afterEach(() => h.teardown());

    it('loads as a trace: requests, tasks and regions as slices, decisions and logs as instants', async () => {
      const capture = startCapture();
      for (const path of ['/a', '/b']) {
        h.tracer.startActiveSpan(`GET ${path}`, (root) => {
          task('checkout', () => {
            region('validate', () => stepmark.recordEntity('order_42', 'validate', 'accepted'));
            region('price', () => log('pricing', 'rule applied', { rule: 'eu-vat' }));
          });
          stepmark.record('request', 'answered');
          root.end();
        });
      }
      const traces = await capture.stop();
      const doc = toChromeTrace(traces);
      expect(chromeTraceProblems(JSON.parse(JSON.stringify(doc)))).toEqual([]);
      expect(doc.displayTimeUnit).toBe('ms');
      expect(doc.otherData).toMatchObject({ generator: 'stepmark-otel', traces: 2 });
      // One track per request, named after its root span and trace id.
      const tracks = threadNames(doc);
      const ids = traces.map((t) => t.trace_id.slice(0, 8));
      expect([...tracks.values()]).toEqual([`GET /a · ${ids[0]}`, `GET /b · ${ids[1]}`]);
      const [checkout] = named(doc, 'checkout');
      expect(checkout).toMatchObject({ ph: 'X', cat: 'task' });
      expect(named(doc, 'price')[0]).toMatchObject({ ph: 'X', cat: 'region', tid: checkout?.tid });
      // A decision sits on the track of the span it was recorded on, in time.
      const [accepted] = named(doc, 'order_42 · validate: accepted');
      const validate = named(doc, 'validate')[0] as ChromeTraceEvent;
      expect(accepted).toMatchObject({ ph: 'i', s: 't', cat: 'decision', tid: validate.tid });
      expect(accepted?.args).toMatchObject({ entity_id: 'order_42', stage: 'validate' });
      expect(accepted?.ts).toBeGreaterThanOrEqual(validate.ts);
      expect(accepted?.ts).toBeLessThanOrEqual(validate.ts + (validate.dur ?? 0));
      expect(named(doc, 'pricing: rule applied')[0]).toMatchObject({
        ph: 'i',
        cat: 'log',
        args: { task: 'checkout', region: 'price', meta: { rule: 'eu-vat' } },
      });
      expect(named(doc, 'request: answered')).toHaveLength(2);
      // Microseconds from the earliest moment, which otherData names.
      expect(Math.min(...doc.traceEvents.filter((e) => e.ph !== 'M').map((e) => e.ts))).toBe(0);
      const starts = traces.flatMap((t) => t.spans?.map((s) => s.start_time) ?? []);
      expect(doc.otherData.origin).toBe(starts.sort()[0]);
    });
  });

  it('puts concurrent spans on lanes of their request, so that every lane nests', () => {
    const trace: Trace = {
      trace_id: 'aaaabbbbccccdddd0000000000000001',
      spans: [
        span('r', undefined, 'GET /batch', 0, 100),
        span('t1', 'r', 'import-1', 10, 50, { kind: 'task' }),
        span('t2', 'r', 'import-2', 20, 50, { kind: 'task' }), // overlaps import-1
        span('g1', 't1', 'parse', 10, 50.4, { kind: 'region' }), // ends 0.4 ms after its task
        span('late', 'r', 'flush', 90, 30, { kind: 'task' }), // outlives the request
      ],
    };
    const doc = toChromeTrace([trace]);
    expect(chromeTraceProblems(doc)).toEqual([]);
    const lane = (name: string) => threadNames(doc).get(named(doc, name)[0]?.tid ?? -1);
    expect(lane('GET /batch')).toBe('GET /batch · aaaabbbb');
    expect(lane('import-1')).toBe('GET /batch · aaaabbbb');
    expect(lane('parse')).toBe('GET /batch · aaaabbbb');
    expect(lane('import-2')).toBe('GET /batch · aaaabbbb (2)');
    expect(lane('flush')).toBe('GET /batch · aaaabbbb (2)');
    // Rounding of start times: a child passing its parent's end by under 1 ms is clamped.
    expect(named(doc, 'parse')[0]).toMatchObject({ ts: 10_000, dur: 50_000 });
  });

  it('puts a decision inside the slice of its span, however its time was cut to the millisecond', () => {
    // reserveStock truly ended at 142.1 ms and price began after it; their start times, cut to
    // the millisecond, say 7 and 142, and so does the decision recorded in price.
    const trace = {
      trace_id: 'c'.repeat(32),
      spans: [
        span('r', undefined, 'GET /orders/42', 0, 150),
        span('s', 'r', 'reserveStock', 7, 135.1, { kind: 'region' }),
        span('p', 'r', 'price', 142, 0.245, { kind: 'region' }),
      ],
      events: [{ stage: 'pricing', action: 'priced', timestamp: at(142), span_id: 'p' }],
    } as unknown as Trace;
    const doc = toChromeTrace([trace]);
    expect(chromeTraceProblems(doc)).toEqual([]);
    const [reserve, price, decision] = ['reserveStock', 'price', 'pricing: priced'].map(
      (name) => named(doc, name)[0] as ChromeTraceEvent,
    ) as [ChromeTraceEvent, ChromeTraceEvent, ChromeTraceEvent];
    expect(price.tid).toBe(reserve.tid);
    expect(price.ts).toBe(142_100); // starts when its sibling ended
    expect(decision).toMatchObject({ ph: 'i', tid: price.tid });
    expect(decision.ts).toBeGreaterThanOrEqual(price.ts);
    expect(decision.ts).toBeLessThan(price.ts + (price.dur ?? 0)); // a slice is [ts, ts + dur)
  });

  it('shows GC on a GC track of the process (once), blocked and blocking periods on tracks of the request, the event loop as a counter', () => {
    const gc = { kind: 'major', start_time: at(30), duration_ms: 4 };
    const traces = [1, 2].map(
      (n): Trace =>
        ({
          trace_id: `${n}`.repeat(32),
          spans: [span(`r${n}`, undefined, `GET /${n}`, n * 10, 50)],
          runtime: {
            gc: [gc, { kind: 'minor', start_time: at(n * 12), duration_ms: 1 }],
            event_loop: { utilization: 0.5, delay_p99_ms: 12, delay_samples: 3 },
            blocked: [
              {
                start_time: at(n * 10 + 5),
                duration_ms: 20,
                by_trace_id: 'f'.repeat(32),
                task: 'report',
                region: 'sort',
                stack: ['sort', 'report'],
              },
            ],
            blocking: [
              {
                start_time: at(n * 10 + 30),
                duration_ms: 15,
                task: 'render',
                blocked_trace_ids: ['e'.repeat(32)],
              },
            ],
          },
        }) as Trace,
    );
    const doc = toChromeTrace(traces);
    expect(chromeTraceProblems(doc)).toEqual([]);
    const tracks = threadNames(doc);
    const gcSlices = doc.traceEvents.filter((e) => e.cat === 'gc');
    expect(gcSlices.map((e) => e.name)).toEqual(['GC minor', 'GC minor', 'GC major']);
    expect(new Set(gcSlices.map((e) => tracks.get(e.tid)))).toEqual(new Set(['GC']));
    // Times count from the earliest moment: the first request's start, 10 ms after T0.
    expect(gcSlices[2]).toMatchObject({ ph: 'X', ts: 20_000, dur: 4_000 });
    const blocked = doc.traceEvents.filter((e) => e.cat === 'blocked');
    expect(blocked.map((e) => [e.name, tracks.get(e.tid)])).toEqual([
      ['blocked · sort', 'GET /1 · 11111111 · blocked'],
      ['blocked · sort', 'GET /2 · 22222222 · blocked'],
    ]);
    expect(blocked[0]?.args).toMatchObject({
      by_trace_id: 'f'.repeat(32),
      task: 'report',
      region: 'sort',
      stack: 'sort\nreport',
    });
    const blocking = doc.traceEvents.filter((e) => e.cat === 'blocking');
    expect(blocking.map((e) => [e.name, tracks.get(e.tid)])).toEqual([
      ['blocking · render', 'GET /1 · 11111111 · blocking'],
      ['blocking · render', 'GET /2 · 22222222 · blocking'],
    ]);
    expect(blocking[0]?.args).toMatchObject({ blocked_trace_ids: ['e'.repeat(32)] });
    const loop = { utilization: 0.5, delay_p99_ms: 12 };
    expect(doc.traceEvents.filter((e) => e.ph === 'C')).toEqual([
      expect.objectContaining({ name: 'event loop', args: loop }),
      expect.objectContaining({ name: 'event loop', args: loop }),
    ]);
  });

  it('gives each service of a rebuilt trace its own process track', () => {
    const trace: Trace = {
      trace_id: 'c'.repeat(32),
      spans: [
        span('a', undefined, 'GET /checkout', 0, 40, { service: 'gateway' }),
        span('b', 'a', 'POST /price', 5, 20, { service: 'pricing' }),
      ],
      events: [
        { stage: 'price', action: 'quoted', timestamp: at(10), span_id: 'b', service: 'pricing' },
      ],
    };
    const doc = toChromeTrace([trace]);
    expect(chromeTraceProblems(doc)).toEqual([]);
    const processes = doc.traceEvents
      .filter((e) => e.name === 'process_name')
      .map((e) => [e.pid, e.args?.name]);
    expect(processes).toEqual([
      [1, 'gateway'],
      [2, 'pricing'],
    ]);
    expect(named(doc, 'POST /price')[0]?.pid).toBe(2);
    expect(named(doc, 'price: quoted')[0]?.pid).toBe(2);
  });

  it('reads traces of any shape without throwing, leaving out what it cannot place', () => {
    const junk = [
      null,
      { trace_id: 5, spans: 'no' },
      { trace_id: 'x', spans: [{ name: 'no time', start_time: 'yesterday' }, 7] },
      {
        trace_id: 'y',
        spans: [span('s', undefined, 'n'.repeat(5_000), 0, 1)],
        events: [{ stage: 's', action: 'a', timestamp: 'never' }],
        logs: [null, { category: 'c', message: 'm', timestamp: at(0) }],
        runtime: { gc: 'lots', blocked: [{ start_time: at(0), duration_ms: -1 }] },
      },
    ] as unknown as Trace[];
    const doc = toChromeTrace(junk);
    expect(chromeTraceProblems(doc)).toEqual([]);
    expect(doc.otherData.traces).toBe(3);
    expect(doc.traceEvents.filter((e) => e.ph === 'X')).toHaveLength(1);
    expect(doc.traceEvents.find((e) => e.ph === 'X')?.name.length).toBeLessThanOrEqual(512);
    expect(doc.traceEvents.filter((e) => e.ph === 'i').map((e) => e.name)).toEqual(['c: m']);
    expect(toChromeTrace([])).toEqual({
      traceEvents: [],
      displayTimeUnit: 'ms',
      otherData: { generator: 'stepmark-otel', traces: 0 },
    });
    expect(chromeTraceProblems(toChromeTrace('nope' as never))).toEqual([]);
  });
});
