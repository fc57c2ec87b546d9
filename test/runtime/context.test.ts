// Work inside a task or region keeps it across every way Node runs a callback later. OTel's
// AsyncLocalStorage context manager carries it (on Node 24 AsyncLocalStorage is backed by
// AsyncContextFrame; these tests run on both lines: see scripts/test-otel3.sh).
import { EventEmitter, once } from 'node:events';
import { context, createContextKey, propagation } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import { log, region, startRegion, task } from '../../src/runtime/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';
import { eventSpans } from './traceSpans.js';

let h: Harness;
beforeEach(() => {
  h = setupOtel();
});
afterEach(() => h.teardown());

/** Runs `fn` from a callback of `schedule`, resolving when it ran. */
function later(schedule: (callback: () => void) => void, fn: () => void): Promise<void> {
  return new Promise((resolve) =>
    schedule(() => {
      fn();
      resolve();
    }),
  );
}

describe('context inside a task or region', () => {
  it('survives await, timers, setImmediate, process.nextTick and queueMicrotask', async () => {
    await h.request(() =>
      task('job', () =>
        region('phase', async () => {
          await Promise.resolve();
          stepmark.record('phase', 'await');
          await later(
            (cb) => setTimeout(cb, 0),
            () => stepmark.record('phase', 'setTimeout'),
          );
          await later(
            (cb) => setImmediate(cb),
            () => stepmark.record('phase', 'setImmediate'),
          );
          await later(
            (cb) => process.nextTick(cb),
            () => stepmark.record('phase', 'nextTick'),
          );
          await later(queueMicrotask, () => stepmark.record('phase', 'queueMicrotask'));
          const interval = await new Promise<NodeJS.Timeout>((resolve) => {
            const id: NodeJS.Timeout = setInterval(() => {
              stepmark.record('phase', 'setInterval');
              resolve(id);
            }, 0);
          });
          clearInterval(interval);
          log('phase', 'after the hops');
        }),
      ),
    );
    const [trace] = await h.traces();
    expect(eventSpans(trace)).toEqual(
      ['await', 'setTimeout', 'setImmediate', 'nextTick', 'queueMicrotask', 'setInterval'].map(
        (action) => [action, 'phase'],
      ),
    );
    expect(trace?.logs?.[0]).toMatchObject({ task: 'job', region: 'phase' });
  });

  it('keeps the region through contexts your code derives from it (setValue, deleteValue, baggage)', async () => {
    const KEY = createContextKey('app.tenant');
    const seen: unknown[] = [];
    await h.request(() =>
      region('phase', () => {
        const derived = context.active().setValue(KEY, 'acme');
        context.with(derived, () => {
          seen.push(context.active().getValue(KEY));
          stepmark.record('phase', 'derived');
          context.with(context.active().deleteValue(KEY), () => {
            seen.push(context.active().getValue(KEY));
            region('inner', () => stepmark.record('inner', 'nested'));
          });
        });
        const withBaggage = propagation.setBaggage(
          context.active(),
          propagation.createBaggage({ plan: { value: 'pro' } }),
        );
        context.with(withBaggage, () => {
          seen.push(propagation.getActiveBaggage()?.getEntry('plan')?.value);
          stepmark.record('phase', 'baggage');
        });
      }),
    );
    const [trace] = await h.traces();
    expect(seen).toEqual(['acme', undefined, 'pro']);
    expect(eventSpans(trace)).toEqual([
      ['derived', 'phase'],
      ['nested', 'inner'],
      ['baggage', 'phase'],
    ]);
    const inner = trace?.spans?.find((s) => s.name === 'inner');
    expect(inner?.parent_id).toBe(trace?.spans?.find((s) => s.name === 'phase')?.span_id);
  });

  it('Promise.all: concurrent regions keep their own decisions, and so do concurrent tasks', async () => {
    await h.request(() =>
      task('order', () =>
        Promise.all(
          ['a', 'b', 'c'].map((name) =>
            region(`check-${name}`, async () => {
              stepmark.record(name, 'start');
              await new Promise<void>((resolve) => setImmediate(resolve));
              stepmark.record(name, 'middle');
              await Promise.all([
                task(`sub-${name}`, async () => {
                  await Promise.resolve();
                  stepmark.record(name, 'in-subtask');
                }),
                Promise.resolve().then(() => stepmark.record(name, 'in-then')),
              ]);
              stepmark.record(name, 'end');
            }),
          ),
        ),
      ),
    );
    const [trace] = await h.traces();
    const byStage = new Map<string, Array<[string, string | undefined]>>();
    for (const e of trace?.events ?? []) {
      const span = trace?.spans?.find((s) => s.span_id === e.span_id)?.name;
      byStage.set(e.stage, [...(byStage.get(e.stage) ?? []), [e.action, span]]);
    }
    for (const name of ['a', 'b', 'c']) {
      // The two inner branches run in either order: compared as a set.
      const events = byStage.get(name) ?? [];
      expect(events.slice(0, 2)).toEqual([
        ['start', `check-${name}`],
        ['middle', `check-${name}`],
      ]);
      expect(events.slice(2, 4).sort()).toEqual([
        ['in-subtask', `sub-${name}`],
        ['in-then', `check-${name}`],
      ]);
      expect(events[4]).toEqual(['end', `check-${name}`]);
    }
  });

  it('an EventEmitter listener runs in the context of the emit: inside the region when emitted there', async () => {
    const emitter = new EventEmitter();
    // Added outside any region: where it runs is decided by who emits.
    emitter.on('item', (n: number) => stepmark.record('listener', `item-${n}`));
    await h.request(async () => {
      region('emit-sync', () => emitter.emit('item', 1));
      await region('emit-later', () =>
        later(
          (cb) => setImmediate(cb),
          () => emitter.emit('item', 2),
        ),
      );
      emitter.emit('item', 3);
    });
    const [trace] = await h.traces();
    expect(eventSpans(trace)).toEqual([
      ['item-1', 'emit-sync'],
      ['item-2', 'emit-later'],
      ['item-3', 'request'],
    ]);
  });

  it('an EventEmitter listener added in a region and emitted elsewhere runs where it is emitted, unless run in the region', async () => {
    const emitter = new EventEmitter();
    await h.request(async () => {
      const r = startRegion('consume');
      r.run(() => emitter.on('plain', () => stepmark.record('listener', 'plain')));
      emitter.on('bound', () => r.run(() => stepmark.record('listener', 'bound')));
      const done = once(emitter, 'bound');
      emitter.emit('plain');
      emitter.emit('bound');
      await done;
      r.end();
    });
    const [trace] = await h.traces();
    expect(eventSpans(trace)).toEqual([
      ['plain', 'request'],
      ['bound', 'consume'],
    ]);
  });
});
