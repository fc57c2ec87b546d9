// Where stepmark does not record, tasks and regions only run their function, the handles are one
// shared no-op, and log does nothing: no span, no allocation per call.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { log, region, startRegion, startTask, task } from '../../src/runtime/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

describe('with no stepmark session', () => {
  let h: Harness;
  beforeEach(() => {
    h = setupOtel();
  });
  afterEach(() => h.teardown());

  function everyCall(): unknown[] {
    const results: unknown[] = [];
    results.push(task('t', () => 1));
    results.push(region('r', () => 2));
    const t = startTask('t');
    const r = startRegion('r');
    results.push(
      t === r,
      t.run(() => 3),
      r.run(() => 4),
    );
    t.end();
    r.end();
    r[Symbol.dispose]();
    log('c', 'm', { a: 1 });
    return results;
  }

  it('runs fn and returns its result, with no span, when no request is traced at all', () => {
    expect(everyCall()).toEqual([1, 2, true, 3, 4]);
    expect(h.exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('runs fn with no span in an untraced request while another request is traced', async () => {
    let release!: () => void;
    const traced = h.request(() => new Promise<void>((resolve) => (release = resolve)));
    let results: unknown[] = [];
    h.tracer.startActiveSpan('untraced', (span) => {
      results = everyCall();
      span.end();
    });
    release();
    await traced;
    expect(results).toEqual([1, 2, true, 3, 4]);
    expect(h.exporter.getFinishedSpans().map((s) => s.name)).toEqual(['untraced', 'request']);
  });

  it('in an unsampled request, nothing is recorded either', async () => {
    await h.teardown();
    h = setupOtel({ sampler: { shouldSample: () => ({ decision: 0 }), toString: () => 'never' } });
    let results: unknown[] = [];
    await h.request(() => {
      results = everyCall();
    });
    expect(results).toEqual([1, 2, true, 3, 4]);
    expect(h.exporter.getFinishedSpans()).toHaveLength(0);
  });
});

describe('with no OpenTelemetry at all', () => {
  it('runs fn, passes its errors through, and returns one shared handle', async () => {
    expect(task('t', () => 'x')).toBe('x');
    await expect(region('r', () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(startTask('a')).toBe(startRegion('b'));
    expect(() => log('c', 'm')).not.toThrow();
  });
});
