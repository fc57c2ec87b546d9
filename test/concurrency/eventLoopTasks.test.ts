import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RaceDetector,
  trackEventLoopTasks,
  trackStateChange,
  type Race,
} from '../../src/concurrency/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

/** Resolves after the callbacks `schedule` queued have run (each calls `done` once). */
function ran(count: number, schedule: (done: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    let left = count;
    schedule(() => {
      if (--left === 0) resolve();
    });
  });
}

describe('trackEventLoopTasks: timers, immediates and intervals as tasks of their own', () => {
  let h: Harness;
  let races: Race[];
  let uninstall: () => void;
  beforeEach(() => {
    races = [];
    h = setupOtel({
      processor: { analyzers: [new RaceDetector({ onRace: (r) => races.push(r) })] },
    });
    uninstall = trackEventLoopTasks();
  });
  afterEach(async () => {
    uninstall();
    await h.teardown();
  });

  it('two timers of equal delay are not ordered (Node does not promise it): 1 race', async () => {
    await h.request(() =>
      ran(2, (done) => {
        setTimeout(() => {
          trackStateChange('x', 0, 1, 'write');
          done();
        }, 1);
        setTimeout(() => {
          trackStateChange('x', 0, 2, 'write');
          done();
        }, 1);
      }),
    );
    await h.traces();
    expect(races.map((r) => r.kind)).toEqual(['write_write']);
    expect(races[0]?.accesses.map((a) => a.task_id.split(':')[1])).toEqual(['timeout', 'timeout']);
  });

  it('immediates run in creation order: ordered, 0 races', async () => {
    await h.request(() =>
      ran(2, (done) => {
        setImmediate(() => {
          trackStateChange('x', 0, 1, 'write');
          done();
        });
        setImmediate(() => {
          trackStateChange('x', 1, 2, 'write');
          done();
        });
      }),
    );
    await h.traces();
    expect(races).toEqual([]);
  });

  it('what the scheduler did before scheduling happens before the callback: 0 races', async () => {
    await h.request(() => {
      trackStateChange('x', 0, 1, 'write');
      return ran(1, (done) =>
        setTimeout(() => {
          trackStateChange('x', 1, 2, 'write');
          done();
        }, 0),
      );
    });
    await h.traces();
    expect(races).toEqual([]);
  });

  it('an interval’s runs are one task, one after the other: 0 races', async () => {
    await h.request(() =>
      ran(3, (done) => {
        let n = 0;
        const id = setInterval(() => {
          trackStateChange('x', n, n + 1, 'write');
          if (++n === 3) clearInterval(id);
          done();
        }, 1);
      }),
    );
    await h.traces();
    expect(races).toEqual([]);
  });

  it('untraced, the wrappers only call through; uninstalling restores the globals', async () => {
    const wrapped = globalThis.setTimeout;
    await ran(1, (done) => setTimeout(done, 0));
    uninstall();
    expect(globalThis.setTimeout).not.toBe(wrapped);
    uninstall = trackEventLoopTasks();
    expect(races).toEqual([]);
  });
});
