// Issue 13, captures: `startCapture` records every request for a bounded window (Go's
// trace.Start/Stop) and hands back its traces. No test depends on timing: the window is ended by
// vitest's fake timers (setTimeout only: spans keep their real clock), or by `stop()`.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as stepmark from '../../../src/index.js';
import type { Trace } from '../../../src/index.js';
import { registry } from '../../../src/core/registry.js';
import {
  captureStats,
  log,
  region,
  startCapture,
  task,
  type Capture,
} from '../../../src/runtime/index.js';
import { setupOtel, type Harness } from '../../support/otelHarness.js';

let h: Harness;
const started: Capture[] = [];
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  h = setupOtel();
});
afterEach(async () => {
  for (const capture of started.splice(0)) await capture.stop();
  vi.useRealTimers();
  await h.teardown();
});

function capture(options?: Parameters<typeof startCapture>[0]): Capture {
  const c = startCapture(options);
  started.push(c);
  return c;
}

/** A request nobody asked to trace: a root span with a task, a region, a log and a decision. */
function plainRequest(name: string): void {
  h.tracer.startActiveSpan(name, (span) => {
    task('handle', () =>
      region('price', () => {
        stepmark.recordEntity('order_1', 'price', 'priced', { total: 10 });
        log('cache', 'miss');
      }),
    );
    span.end();
  });
}

const names = (traces: readonly Trace[]) =>
  traces.map((t) => t.spans?.find((s) => s.parent_id === undefined)?.name);

describe('startCapture', () => {
  it('a capture of 200 ms records every request in it and none after', async () => {
    plainRequest('GET /before'); // no capture yet: not recorded
    const c = capture({ durationMs: 200 });
    plainRequest('GET /a');
    await h.request(() => stepmark.record('checkout', 'asked-for')); // traced anyway
    vi.advanceTimersByTime(199);
    plainRequest('GET /b');
    expect(c.stats().running).toBe(true);
    vi.advanceTimersByTime(1);
    expect(await c.ended).toBe('duration');
    plainRequest('GET /after'); // the capture is over: not recorded
    const traces = await c.stop();
    expect(names(traces)).toEqual(['GET /a', 'request', 'GET /b']);
    // A captured request has its tasks, regions, decisions and logs.
    const a = traces[0] as Trace;
    expect(a.spans?.map((s) => [s.name, s.kind])).toEqual(
      expect.arrayContaining([
        ['handle', 'task'],
        ['price', 'region'],
      ]),
    );
    expect(a.entities?.order_1?.events.map((e) => e.action)).toEqual(['priced']);
    expect(a.logs?.map((l) => [l.message, l.task, l.region])).toEqual([
      ['miss', 'handle', 'price'],
    ]);
    expect(c.stats()).toMatchObject({ running: false, traces: 3, dropped: 0, reason: 'duration' });
    // Recorded for the capture alone: the sinks and recent() got the asked-for request only.
    const sunk = await h.traces();
    expect(sunk.map((t) => t.events?.[0]?.action)).toEqual(['asked-for']);
    expect(h.processor.recent().length).toBe(1);
    // Capture off: back on the disabled path, nothing left open.
    expect(registry.live).toBe(0);
    expect(registry.captures.size).toBe(0);
    expect(stepmark.stats().openSessions).toBe(0);
  });

  it('stop() ends it early and resolves with the requests that ended before it, in order', async () => {
    const c = capture({ durationMs: 60_000 });
    plainRequest('GET /1');
    plainRequest('GET /2');
    const open = h.tracer.startSpan('GET /still-running');
    const traces = await c.stop();
    open.end();
    expect(names(traces)).toEqual(['GET /1', 'GET /2']);
    expect(c.stats().reason).toBe('stopped');
    expect(await c.stop()).toBe(traces); // a second call: the first one's promise
  });

  it('ends by itself at maxTraces and counts the traces it could not take', async () => {
    const c = capture({ maxTraces: 2 });
    plainRequest('GET /1');
    plainRequest('GET /2');
    plainRequest('GET /3'); // finished in the same turn: handed over, past the bound
    expect(await c.ended).toBe('maxTraces');
    plainRequest('GET /4'); // after the end: not recorded at all
    expect(names(await c.stop())).toEqual(['GET /1', 'GET /2']);
    expect(c.stats()).toMatchObject({ traces: 2, dropped: 1, reason: 'maxTraces' });
  });

  it('a trace that would pass maxBytes is dropped, counted, and the capture ends', async () => {
    const c = capture({ maxBytes: 3_000 });
    plainRequest('GET /small');
    h.tracer.startActiveSpan('GET /big', (span) => {
      stepmark.record('load', 'rows', { rows: 'x'.repeat(4_000) });
      span.end();
    });
    expect(await c.ended).toBe('maxBytes');
    const traces = await c.stop();
    expect(names(traces)).toEqual(['GET /small']);
    const stats = c.stats();
    expect(stats).toMatchObject({ traces: 1, dropped: 1, reason: 'maxBytes' });
    expect(stats.bytes).toBe(Buffer.byteLength(JSON.stringify(traces[0])));
    expect(stats.bytes).toBeLessThanOrEqual(3_000);
  });

  it('overlapping captures each get the traces of their own window', async () => {
    const before = captureStats().overlapping;
    const outer = capture({ durationMs: 300 });
    plainRequest('GET /outer-only-1');
    vi.advanceTimersByTime(100);
    const inner = capture({ durationMs: 100 });
    plainRequest('GET /both');
    vi.advanceTimersByTime(100); // the inner capture ends: recording stays on for the outer
    await inner.ended;
    plainRequest('GET /outer-only-2');
    vi.advanceTimersByTime(100);
    await outer.ended;
    plainRequest('GET /none');
    expect(names(await outer.stop())).toEqual([
      'GET /outer-only-1',
      'GET /both',
      'GET /outer-only-2',
    ]);
    expect(names(await inner.stop())).toEqual(['GET /both']);
    expect(captureStats().overlapping).toBe(before + 1);
    expect(registry.live).toBe(0);
  });

  it('a processor shut down during a capture: its request in progress is taken as incomplete, stop() still resolves', async () => {
    const c = capture({ durationMs: 60_000 });
    plainRequest('GET /done');
    const open = h.tracer.startSpan('GET /in-flight');
    await h.processor.shutdown();
    open.end(); // after shutdown: nothing more reaches the capture
    plainRequest('GET /after-shutdown');
    const traces = await c.stop();
    expect(names(traces)).toEqual(['GET /done', 'GET /in-flight']);
    expect(traces[1]?.incomplete).toBe('shutdown');
    expect(c.stats()).toMatchObject({ traces: 2, incomplete: 1, reason: 'stopped' });
  });

  it('with no processor registered it ends at once, empty, and says why', async () => {
    await h.processor.shutdown();
    const before = captureStats().withoutProcessor;
    const c = capture();
    expect(await c.ended).toBe('no-processor');
    expect(await c.stop()).toEqual([]);
    expect(captureStats().withoutProcessor).toBe(before + 1);
    expect(registry.live).toBe(0);
  });

  it('a request enabled inside a captured one goes to the sinks too', async () => {
    const c = capture();
    h.tracer.startActiveSpan('GET /joined', (span) => {
      stepmark.record('before', 'enable'); // opens the capture's session
      stepmark.withTracing(() => stepmark.record('after', 'enable')); // asked for now
      span.end();
    });
    const traces = await c.stop();
    expect(names(traces)).toEqual(['GET /joined']);
    const sunk = await h.traces();
    expect(sunk.map((t) => t.events?.map((e) => e.action))).toEqual([['enable', 'enable']]);
  });

  it('checks its options where they are given', () => {
    expect(() => startCapture({ durationMs: 0 })).toThrow(RangeError);
    expect(() => startCapture({ maxTraces: 1.5 })).toThrow(
      'stepmark-otel: maxTraces must be an integer from 1 to 1000000, got 1.5',
    );
    expect(() => startCapture({ maxBytes: '1mb' as never })).toThrow(TypeError);
    expect(() => startCapture(5 as never)).toThrow(TypeError);
    expect(registry.live).toBe(0);
  });
});
