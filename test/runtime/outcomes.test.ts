// The defined outcomes of tasks and regions used out of the ordinary way: ended out of order,
// never ended, ended twice, and work that outlives its task.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import {
  log,
  region,
  runtimeStats,
  startRegion,
  startTask,
  task,
  type RuntimeStats,
} from '../../src/runtime/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';
import { spanNamed, eventSpans } from './traceSpans.js';

let h: Harness;
let before: RuntimeStats;
beforeEach(() => {
  h = setupOtel();
  before = runtimeStats();
});
afterEach(() => h.teardown());

/** How each runtime counter moved since the test began. */
function counted(): Partial<RuntimeStats> {
  const now = runtimeStats();
  const moved: Partial<RuntimeStats> = {};
  for (const key of Object.keys(now) as Array<keyof RuntimeStats>) {
    if (now[key] !== before[key]) moved[key] = now[key] - before[key];
  }
  return moved;
}

const exported = (name: string) => h.exporter.getFinishedSpans().filter((s) => s.name === name);

describe('ending out of order', () => {
  it('an outer region ended before its inner one ends the inner one with it, marked and counted', async () => {
    await h.request(() => {
      const outer = startRegion('outer');
      const inner = outer.run(() => startRegion('inner'));
      inner.run(() => startRegion('innermost'));
      outer.end();
      inner.run(() => stepmark.record('inner', 'after-outer-ended'));
      inner.end(); // its first own end: nothing left to do, not a repeat
    });
    const [trace] = await h.traces();
    const outer = spanNamed(trace, 'outer');
    const inner = spanNamed(trace, 'inner');
    const innermost = spanNamed(trace, 'innermost');
    expect(inner.parent_id).toBe(outer.span_id);
    expect(innermost.parent_id).toBe(inner.span_id);
    expect(outer.tags?.['stepmark.runtime.ended_by_parent']).toBeUndefined();
    expect(inner.tags?.['stepmark.runtime.ended_by_parent']).toBe(true);
    expect(innermost.tags?.['stepmark.runtime.ended_by_parent']).toBe(true);
    expect([outer, inner, innermost].some((s) => s.open)).toBe(false);
    // Work run in the ended region goes where work after its end goes: the local root.
    expect(eventSpans(trace)).toEqual([['after-outer-ended', 'request']]);
    expect(counted()).toEqual({ regionsEndedByParent: 2, runsAfterEnd: 1 });
  });

  it('a task ended with regions still open ends them; its subtasks stay open and end on their own', async () => {
    let sub = startTask('unused');
    await h.request(async () => {
      const job = startTask('job');
      job.run(() => {
        startRegion('left-open');
        sub = startTask('sub');
      });
      job.end();
      sub.run(() => stepmark.record('sub', 'still-running'));
      sub.end();
    });
    const [trace] = await h.traces();
    expect(spanNamed(trace, 'left-open').tags?.['stepmark.runtime.ended_by_parent']).toBe(true);
    expect(spanNamed(trace, 'sub').tags?.['stepmark.runtime.ended_by_parent']).toBeUndefined();
    // Still open after its parent ended: what it recorded then is on its own span.
    expect(eventSpans(trace)).toEqual([['still-running', 'sub']]);
    expect(counted()).toEqual({ regionsEndedByParent: 1 });
  });

  it('a region(name, fn) whose task ends inside fn is ended with it; fn runs on, its records on the root', async () => {
    await h.request(() => {
      const job = startTask('job');
      job.run(() =>
        region('phase', () => {
          job.end();
          stepmark.record('phase', 'after-task-end');
        }),
      );
    });
    const [trace] = await h.traces();
    expect(spanNamed(trace, 'phase').tags?.['stepmark.runtime.ended_by_parent']).toBe(true);
    expect(eventSpans(trace)).toEqual([['after-task-end', 'request']]);
    expect(exported('phase')).toHaveLength(1);
  });
});

describe('end() twice', () => {
  it('the first end counts; later ones (and a dispose after end) do nothing and are counted', async () => {
    const endTime = () => (exported('twice')[0] as unknown as { endTime?: unknown })?.endTime;
    let atFirstEnd: unknown;
    await h.request(async () => {
      const r = startRegion('twice');
      r.end();
      atFirstEnd = endTime();
      await new Promise<void>((resolve) => setImmediate(resolve));
      r.end();
      r[Symbol.dispose]();
      const t = startTask('task-twice');
      t.end();
      t.end();
    });
    const [trace] = await h.traces();
    expect(atFirstEnd).toBeDefined();
    expect(exported('twice')).toHaveLength(1);
    expect(endTime()).toEqual(atFirstEnd);
    expect(spanNamed(trace, 'twice').open).toBeUndefined();
    expect(counted()).toEqual({ repeatedEnds: 3 });
  });

  it('using: a region or task started with `using` ends at the end of the block', async () => {
    await h.request(() => {
      {
        using r = startRegion('scoped');
        r.run(() => stepmark.record('scoped', 'inside'));
        using t = startTask('scoped-task');
        t.run(() => log('scoped', 'inside the task'));
      }
      stepmark.record('request', 'after-block');
    });
    const [trace] = await h.traces();
    expect(spanNamed(trace, 'scoped').open).toBeUndefined();
    expect(spanNamed(trace, 'scoped-task').open).toBeUndefined();
    expect(eventSpans(trace)).toEqual([
      ['inside', 'scoped'],
      ['after-block', 'request'],
    ]);
    expect(counted()).toEqual({});
  });
});

describe('a task never ended', () => {
  it('is in the JSON as an open span with its decisions; ending it after the trace was emitted is harmless', async () => {
    let forgotten = startTask('unused');
    await h.request(() => {
      forgotten = startTask('forgotten');
      forgotten.run(() => region('done', () => stepmark.record('forgotten', 'worked')));
    });
    const [trace] = await h.traces();
    expect(spanNamed(trace, 'forgotten')).toMatchObject({ kind: 'task', open: true });
    expect(spanNamed(trace, 'done').open).toBeUndefined();
    expect(eventSpans(trace)).toEqual([['worked', 'done']]);
    expect(exported('forgotten')).toHaveLength(0);
    // After the request: nothing more is recorded into it (late calls), and ending the task
    // sends its span to the exporters (Jaeger); the JSON, already emitted, does not change.
    // (Counted as late calls while another request is traced, as every stepmark call.)
    let release!: () => void;
    const other = h.request(() => new Promise<void>((resolve) => (release = resolve)));
    const late = stepmark.stats().lateCalls;
    forgotten.run(() => region('after-request', () => log('late', 'ignored')));
    expect(stepmark.stats().lateCalls - late).toBe(2);
    release();
    await other;
    forgotten.end();
    expect(exported('forgotten')).toHaveLength(1);
    expect(exported('after-request')).toHaveLength(0);
    const [first, second] = await h.traces();
    expect(spanNamed(first, 'forgotten').open).toBe(true); // the emitted JSON did not change
    expect(second?.spans?.map((s) => s.name)).toEqual(['request']); // the other request's
  });

  it('a task(name, fn) whose fn never settles stays open', async () => {
    await h.request(() => {
      void task('hangs', () => new Promise(() => {}));
    });
    const [trace] = await h.traces();
    expect(spanNamed(trace, 'hangs')).toMatchObject({ kind: 'task', open: true });
  });
});

describe('work after its task ended', () => {
  it('decisions and logs land on the local root span, in no task; tasks and regions started there are not recorded', async () => {
    let ran: string[] = [];
    await h.request(async () => {
      let fired!: Promise<void>;
      await task('short', () => {
        fired = new Promise<void>((resolve) =>
          setTimeout(() => {
            stepmark.record('late', 'decision');
            log('late', 'log line');
            ran.push(region('late-region', () => 'region ran'));
            ran.push(task('late-task', () => 'task ran'));
            resolve();
          }, 0),
        );
      });
      await fired;
    });
    const [trace] = await h.traces();
    expect(ran).toEqual(['region ran', 'task ran']);
    ran = [];
    const root = spanNamed(trace, 'request');
    expect(eventSpans(trace)).toEqual([['decision', 'request']]);
    expect(trace?.logs).toEqual([
      expect.objectContaining({ category: 'late', message: 'log line', span_id: root.span_id }),
    ]);
    expect(trace?.logs?.[0]?.task).toBeUndefined();
    expect(trace?.spans?.map((s) => s.name).sort()).toEqual(['request', 'short']);
    expect(counted()).toEqual({ startsAfterEnd: 2 });
  });

  it('run(fn) on an ended task runs fn, its records on the local root span (counted)', async () => {
    await h.request(() => {
      const t = startTask('ended');
      t.end();
      expect(t.run(() => stepmark.record('ended', 'late-run') ?? 7)).toBe(7);
    });
    const [trace] = await h.traces();
    expect(eventSpans(trace)).toEqual([['late-run', 'request']]);
    expect(counted()).toEqual({ runsAfterEnd: 1 });
  });
});
