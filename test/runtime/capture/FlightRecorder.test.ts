// Issue 13: the flight recorder keeps the traces of the last `windowMs` in a bounded ring and
// dumps them on demand. Time is vitest's fake clock (Date and setTimeout only: spans keep the
// real one), so "the last N seconds" does not depend on how fast the machine runs.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as stepmark from '../../../src/index.js';
import type { Trace } from '../../../src/index.js';
import { registry } from '../../../src/core/registry.js';
import { FlightRecorder, startCapture } from '../../../src/runtime/index.js';
import { setupOtel, type Harness } from '../../support/otelHarness.js';

let h: Harness;
const recorders: FlightRecorder[] = [];
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
  vi.setSystemTime(Date.parse('2025-01-01T12:00:00.000Z'));
  h = setupOtel();
});
afterEach(async () => {
  for (const recorder of recorders.splice(0)) recorder.stop();
  vi.useRealTimers();
  await h.teardown();
});

function recorder(options?: ConstructorParameters<typeof FlightRecorder>[0]): FlightRecorder {
  const r = new FlightRecorder(options);
  recorders.push(r);
  return r;
}

function plainRequest(name: string, meta?: Record<string, string>): void {
  h.tracer.startActiveSpan(name, (span) => {
    stepmark.record('handle', 'done', meta);
    span.end();
  });
}

/** Lets the processors hand over what finished (a microtask, as stop() of a capture waits). */
const delivered = () => new Promise<void>((resolve) => queueMicrotask(resolve));
const names = (traces: readonly Trace[]) =>
  traces.map((t) => t.spans?.find((s) => s.parent_id === undefined)?.name);

describe('FlightRecorder', () => {
  it('counts a trace it cannot write as JSON as dropped, and keeps the rest (a capture too)', async () => {
    const unprintable = { trace_id: 'b'.repeat(32), spans: [], total: 10n } as unknown as Trace;
    const r = recorder();
    r.start();
    const capture = startCapture();
    expect(() => r.take(unprintable)).not.toThrow();
    expect(() => capture.take(unprintable)).not.toThrow();
    plainRequest('GET /kept');
    await delivered();
    expect(r.stats()).toMatchObject({ traces: 1, dropped: 1 });
    expect(names(r.dump())).toEqual(['GET /kept']);
    const traces = await capture.stop();
    expect(capture.stats()).toMatchObject({ dropped: 1 });
    expect(names(traces)).toEqual(['GET /kept']);
  });

  it('the flight recorder keeps only the last N seconds under load', async () => {
    const r = recorder({ windowMs: 1_000 });
    r.start();
    // 50 requests a second for 5 seconds.
    for (let i = 0; i < 250; i++) {
      plainRequest(`GET /${i}`);
      await delivered();
      vi.advanceTimersByTime(20);
    }
    const traces = r.dump();
    // Now is 5,000 ms: those taken at 4,000 ... 4,980 ms (the window's edge included).
    expect(names(traces)).toEqual(Array.from({ length: 50 }, (_, i) => `GET /${200 + i}`));
    expect(r.stats()).toMatchObject({ running: true, traces: 50, expired: 200, evicted: 0 });
    // Later, with no load, the window moves on: what aged out is gone.
    vi.advanceTimersByTime(500);
    expect(r.dump()).toHaveLength(25);
    // Dumps are copies: the recorder keeps its own.
    (traces[0] as Trace).trace_id = 'changed';
    expect(r.dump()[0]?.trace_id).not.toBe('changed');
  });

  it('stays within maxTraces and maxBytes, counting what it let go before its time', async () => {
    const r = recorder({ windowMs: 60_000, maxTraces: 10, maxBytes: 1_000_000 });
    r.start();
    for (let i = 0; i < 30; i++) plainRequest(`GET /${i}`);
    await delivered();
    expect(names(r.dump())).toEqual(Array.from({ length: 10 }, (_, i) => `GET /${20 + i}`));
    expect(r.stats()).toMatchObject({ traces: 10, evicted: 20, expired: 0 });

    const small = recorder({ windowMs: 60_000, maxBytes: 2_500 });
    r.stop();
    small.start();
    for (let i = 0; i < 5; i++) plainRequest(`GET /s${i}`, { pad: 'x'.repeat(300) });
    plainRequest('GET /huge', { pad: 'x'.repeat(5_000) }); // larger than the whole ring
    await delivered();
    const stats = small.stats();
    expect(stats.bytes).toBeLessThanOrEqual(2_500);
    expect(stats.dropped).toBe(1);
    expect(stats.evicted).toBe(5 - stats.traces);
    expect(names(small.dump()).at(-1)).toBe('GET /s4');
  });

  it('records every request while started, for itself alone; stop() ends that and keeps the ring', async () => {
    const r = recorder();
    plainRequest('GET /before');
    r.start();
    r.start(); // once
    expect(registry.captures.size).toBe(1);
    plainRequest('GET /in');
    await delivered();
    r.stop();
    plainRequest('GET /after');
    await delivered();
    expect(names(r.dump())).toEqual(['GET /in']);
    expect(r.stats().running).toBe(false);
    expect(registry.live).toBe(0);
    expect(await h.traces()).toEqual([]); // not the sinks'
  });

  it('runs beside a capture: each gets the traces of its own window', async () => {
    const r = recorder();
    r.start();
    plainRequest('GET /1');
    const capture = startCapture();
    plainRequest('GET /2');
    const captured = await capture.stop();
    plainRequest('GET /3');
    await delivered();
    expect(names(captured)).toEqual(['GET /2']);
    expect(names(r.dump())).toEqual(['GET /1', 'GET /2', 'GET /3']);
  });

  it('checks its options where they are given', () => {
    expect(() => new FlightRecorder({ windowMs: 0 })).toThrow(RangeError);
    expect(() => new FlightRecorder({ windowMs: 3_600_001 })).toThrow(
      'stepmark-otel: windowMs must be an integer from 1 to 3600000 (ms), got 3600001',
    );
    expect(() => new FlightRecorder({ maxBytes: null as never })).toThrow(TypeError);
  });
});
