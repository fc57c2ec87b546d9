import { describe, expect, it } from 'vitest';
import type { Task } from '../../../src/concurrency/engine/Task.js';
import { TaskModel, taskModel } from '../../../src/concurrency/engine/TaskModel.js';

// An access `task` makes now, and whether it happens before one `other` makes right after.
function ordered(model: TaskModel, a: Task, b: Task): boolean {
  const seq = model.seq();
  return model.happensBefore(model.point(a, seq), b, model.seq());
}

describe('TaskModel', () => {
  it('is a process-wide singleton export', () => {
    expect(taskModel).toBeInstanceOf(TaskModel);
  });

  describe('.newRoot', () => {
    it('makes a request root task with a process-unique id and a task_id label', () => {
      const model = new TaskModel();
      const a = model.newRoot('trace-a');
      const b = model.newRoot('trace-b');
      expect(a.id).not.toBe(b.id);
      expect(a.label).toBe(`t${a.id}:request`);
      expect(a.root.traceId).toBe('trace-a');
      expect(a.parent).toBeUndefined();
      expect(a.epoch).toBe(1);
    });

    it('takes the caller’s seq as the start of the request', () => {
      const model = new TaskModel();
      expect(model.newRoot('t', 500).root.startSeq).toBe(500);
    });
  });

  describe('.fork', () => {
    it('orders what the parent did before the fork before the child, not what it does after', () => {
      const model = new TaskModel();
      const root = model.newRoot('t');
      const before = model.point(root, model.seq());
      const child = model.fork(root, 'branch');
      const after = model.point(root, model.seq());
      expect(model.happensBefore(before, child, model.seq())).toBe(true);
      expect(model.happensBefore(after, child, model.seq())).toBe(false);
      expect(child.parent).toBe(root);
      expect(child.root).toBe(root.root);
    });

    it('leaves siblings concurrent both ways', () => {
      const model = new TaskModel();
      const root = model.newRoot('t');
      const a = model.fork(root, 'a');
      const b = model.fork(root, 'b');
      expect(ordered(model, a, b)).toBe(false);
      expect(ordered(model, b, a)).toBe(false);
    });

    it('starts a continuation root for a late callback of a request that has ended', () => {
      const model = new TaskModel();
      const root = model.newRoot('t');
      model.end(root);
      const late = model.fork(root, 'timeout');
      expect(late.root).not.toBe(root.root);
      expect(late.root.traceId).toBe('t');
      expect(late.root.endSeq).toBeUndefined();
      expect(root.root.endSeq).toBeDefined();
    });
  });

  describe('.join', () => {
    it('orders a child that ended before what the awaiting task does next', () => {
      const model = new TaskModel();
      const root = model.newRoot('t');
      const child = model.fork(root, 'branch');
      const write = model.point(child, model.seq());
      expect(model.happensBefore(write, root, model.seq())).toBe(false);
      model.end(child);
      model.join(root, child);
      expect(model.happensBefore(write, root, model.seq())).toBe(true);
    });

    it('does not order what the awaited task does after the join', () => {
      const model = new TaskModel();
      const root = model.newRoot('t');
      const child = model.fork(root, 'branch');
      model.join(root, child);
      expect(ordered(model, child, root)).toBe(false);
    });
  });

  describe('.end', () => {
    it('ends the request only when its last task ends, at that seq', () => {
      const model = new TaskModel();
      const root = model.newRoot('t', 1);
      const child = model.fork(root, 'branch');
      model.end(root, 2);
      expect(root.root.endSeq).toBeUndefined();
      expect(root.root.liveTasks).toBe(1);
      model.end(child, 3);
      expect(root.root.endSeq).toBe(3);
      model.end(child, 4);
      expect(root.root.endSeq).toBe(3);
    });

    it('orders a request that ended before the next one started, with no clock edge at all', () => {
      const model = new TaskModel();
      const first = model.newRoot('a');
      const branch = model.fork(first, 'branch');
      const write = model.point(branch, model.seq());
      model.end(branch);
      model.end(first);
      const second = model.newRoot('b');
      expect(second.clock.size).toBe(1);
      expect(model.happensBefore(write, second, model.seq())).toBe(true);
    });

    it('does not order requests that overlapped', () => {
      const model = new TaskModel();
      const first = model.newRoot('a');
      const second = model.newRoot('b');
      const write = model.point(first, model.seq());
      model.end(first);
      expect(model.happensBefore(write, second, model.seq())).toBe(false);
    });

    it('forgets ended requests once every live request started after them', () => {
      const model = new TaskModel();
      const longLived = model.newRoot('websocket');
      for (let i = 0; i < 100; i++) {
        const root = model.newRoot(`r${i}`);
        model.end(model.fork(root, 'branch'));
        model.end(root);
      }
      expect(model.stats()).toMatchObject({ liveRoots: 1, retainedRoots: 100, trackedTasks: 201 });
      model.end(longLived);
      expect(model.stats()).toMatchObject({ liveRoots: 0, retainedRoots: 0, trackedTasks: 0 });
    });

    it('keeps nothing of 10,000 requests one after the other', () => {
      const model = new TaskModel();
      for (let i = 0; i < 10_000; i++) {
        const root = model.newRoot(`r${i}`);
        const branch = model.fork(root, 'branch');
        model.acquire(branch, 'L');
        model.release(branch, 'L');
        model.end(branch);
        model.join(root, branch);
        model.end(root);
      }
      expect(model.stats()).toMatchObject({ liveRoots: 0, retainedRoots: 0, trackedTasks: 0 });
    });

    it('forgets the oldest ended requests early past maxRetainedRoots, counted', () => {
      const model = new TaskModel({ maxRetainedRoots: 10 });
      model.newRoot('never-ends');
      for (let i = 0; i < 25; i++) model.end(model.newRoot(`r${i}`));
      expect(model.stats()).toMatchObject({ retainedRoots: 10, forcedForgets: 15 });
    });
  });

  describe('.acquire and .release', () => {
    it('orders a release before the next acquire, and not what the releaser does after', () => {
      const model = new TaskModel();
      const root = model.newRoot('t');
      const a = model.fork(root, 'a');
      const b = model.fork(root, 'b');
      model.acquire(a, 'L');
      const inside = model.point(a, model.seq());
      expect(model.release(a, 'L')).toBe(true);
      const outside = model.point(a, model.seq());
      model.acquire(b, 'L');
      expect(model.happensBefore(inside, b, model.seq())).toBe(true);
      expect(model.happensBefore(outside, b, model.seq())).toBe(false);
      expect([...b.held]).toEqual([['L', 'exclusive']]);
      expect(a.held.size).toBe(0);
    });

    it('says false when the task did not hold the lock', () => {
      const model = new TaskModel();
      expect(model.release(model.newRoot('t'), 'L')).toBe(false);
    });

    it('does not order shared holders, orders an exclusive acquire after every shared release', () => {
      const model = new TaskModel();
      const root = model.newRoot('t');
      const r1 = model.fork(root, 'reader1');
      const r2 = model.fork(root, 'reader2');
      const w = model.fork(root, 'writer');
      model.acquire(r1, 'L', 'shared');
      const read1 = model.point(r1, model.seq());
      model.release(r1, 'L');
      model.acquire(r2, 'L', 'shared');
      const read2 = model.point(r2, model.seq());
      expect(model.happensBefore(read1, r2, model.seq())).toBe(false);
      model.release(r2, 'L');
      model.acquire(w, 'L', 'exclusive');
      expect(model.happensBefore(read1, w, model.seq())).toBe(true);
      expect(model.happensBefore(read2, w, model.seq())).toBe(true);
      const write = model.point(w, model.seq());
      model.release(w, 'L');
      const r3 = model.fork(root, 'reader3');
      model.acquire(r3, 'L', 'shared');
      expect(model.happensBefore(write, r3, model.seq())).toBe(true);
    });

    it('evicts the least recently used lock past maxLocks, counted', () => {
      const model = new TaskModel({ maxLocks: 2 });
      const root = model.newRoot('t');
      for (const id of ['a', 'b', 'a', 'c']) {
        model.acquire(root, id);
        model.release(root, id);
      }
      expect(model.stats()).toMatchObject({ locks: 2, evictedLocks: 1 });
    });
  });

  describe('clock folding', () => {
    it('folds entries of forgotten requests out of a clock past 256 entries, counted', () => {
      const model = new TaskModel();
      for (let i = 0; i < 600; i++) {
        const root = model.newRoot(`r${i}`);
        model.acquire(root, 'L');
        model.release(root, 'L');
        model.end(root);
      }
      const last = model.newRoot('last');
      model.acquire(last, 'L');
      const stats = model.stats();
      expect(stats.folds).toBeGreaterThan(0);
      expect(stats.foldedEntries).toBeGreaterThan(300);
      expect(last.clock.size).toBeLessThanOrEqual(257);
    });

    it('keeps entries a live request may still need, so lock edges stay exact', () => {
      const model = new TaskModel();
      const longLived = model.newRoot('long');
      const writes = [];
      for (let i = 0; i < 600; i++) {
        const root = model.newRoot(`r${i}`);
        model.acquire(root, 'L');
        writes.push(model.point(root, model.seq()));
        model.release(root, 'L');
        model.end(root);
      }
      model.acquire(longLived, 'L');
      const now = model.seq();
      expect(writes.every((w) => model.happensBefore(w, longLived, now))).toBe(true);
      expect(model.stats().foldedEntries).toBe(0);
    });
  });

  describe('.seq and .useSeq', () => {
    it('numbers with its own counter, or with the caller’s once installed', () => {
      const model = new TaskModel();
      expect(model.seq()).toBe(1);
      let registrySeq = 1000;
      model.useSeq(() => ++registrySeq);
      expect(model.newRoot('t').root.startSeq).toBe(1001);
      model.useSeq(undefined);
      expect(model.seq()).toBe(2);
    });
  });
});
