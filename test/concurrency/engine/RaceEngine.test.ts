import { describe, expect, it } from 'vitest';
import { RaceEngine } from '../../../src/concurrency/engine/RaceEngine.js';
import { harness } from './harness.js';

describe('RaceEngine', () => {
  describe('.observe', () => {
    it('reports two sibling writes on different tasks as one write_write race', () => {
      const h = harness();
      const root = h.model.newRoot('t');
      const a = h.model.fork(root, 'a');
      const b = h.model.fork(root, 'b');
      h.access(a, 'balance', 'write');
      const seen = h.access(b, 'balance', 'write');
      expect(h.races).toEqual(['write_write: a.write, b.write']);
      expect(seen.races[0]?.tasks).toEqual([a, b]);
      expect(h.engine.stats().races).toBe(1);
    });

    it('reports nothing for the same writes under one lock', () => {
      const h = harness();
      const root = h.model.newRoot('t');
      const a = h.model.fork(root, 'a');
      const b = h.model.fork(root, 'b');
      for (const task of [a, b]) {
        h.model.acquire(task, 'balance-lock');
        h.access(task, 'balance', 'read');
        h.access(task, 'balance', 'write');
        h.model.release(task, 'balance-lock');
      }
      expect(h.races).toEqual([]);
    });

    it('reports nothing when both tasks held a common lock, even with no clock edge', () => {
      const h = harness();
      const root = h.model.newRoot('t');
      const a = h.model.fork(root, 'a');
      const b = h.model.fork(root, 'b');
      h.access(a, 'balance', 'write', 'a.write', ['L']);
      h.access(b, 'balance', 'write', 'b.write', ['L', 'M']);
      expect(h.races).toEqual([]);
    });

    it('looks past a task’s latest access when only that one shared a lock with the new one', () => {
      const h = harness();
      const root = h.model.newRoot('t');
      const a = h.model.fork(root, 'a');
      const b = h.model.fork(root, 'b');
      h.access(a, 'x', 'write', 'a.unlocked');
      h.access(a, 'x', 'write', 'a.locked', ['L']);
      h.access(b, 'x', 'write', 'b.locked', ['L']);
      expect(h.races).toEqual(['write_write: a.unlocked, b.locked']);
    });

    it('still reports writes made under a shared (read) lock on both sides', () => {
      const h = harness();
      const root = h.model.newRoot('t');
      const a = h.model.fork(root, 'a');
      const b = h.model.fork(root, 'b');
      h.model.acquire(a, 'L', 'shared');
      h.model.acquire(b, 'L', 'shared');
      h.access(a, 'cache', 'write');
      h.access(b, 'cache', 'write');
      expect(h.races).toEqual(['write_write: a.write, b.write']);
    });

    it('orders readers under a shared lock after a writer under the exclusive lock', () => {
      const h = harness();
      const root = h.model.newRoot('t');
      const writer = h.model.fork(root, 'writer');
      const readers = [h.model.fork(root, 'r1'), h.model.fork(root, 'r2')];
      h.model.acquire(writer, 'L', 'exclusive');
      h.access(writer, 'config', 'write');
      h.model.release(writer, 'L');
      for (const reader of readers) {
        h.model.acquire(reader, 'L', 'shared');
        h.access(reader, 'config', 'read');
        h.model.release(reader, 'L');
      }
      const late = h.model.fork(root, 'late-writer');
      h.model.acquire(late, 'L', 'exclusive');
      h.access(late, 'config', 'write');
      expect(h.races).toEqual([]);
    });

    it('reports a read, another task’s write, then a write by the reader as one lost_update', () => {
      const h = harness();
      const root = h.model.newRoot('t');
      const t = h.model.fork(root, 'transfer1');
      const u = h.model.fork(root, 'transfer2');
      h.access(t, 'balance', 'read');
      h.access(u, 'balance', 'write');
      const seen = h.access(t, 'balance', 'write');
      const lost = seen.races.filter((r) => r.kind === 'lost_update');
      expect(lost).toHaveLength(1);
      expect(lost[0]?.payloads).toEqual(['transfer1.read', 'transfer2.write', 'transfer1.write']);
      expect(lost[0]?.tasks).toEqual([t, u, t]);
      expect(h.races.filter((r) => r.startsWith('write_write'))).toEqual([]);
      expect(h.engine.stats().explainedPairs).toBe(1);
    });

    it('links the lost_update to the read_write reported when the other task wrote', () => {
      const h = harness();
      const root = h.model.newRoot('t');
      const t = h.model.fork(root, 't');
      const u = h.model.fork(root, 'u');
      h.access(t, 'balance', 'read');
      const [readWrite] = h.access(u, 'balance', 'write').races;
      const [lost] = h.access(t, 'balance', 'write').races;
      expect(readWrite?.kind).toBe('read_write');
      expect(lost?.kind).toBe('lost_update');
      expect(lost?.explains).toEqual([readWrite]);
      expect(h.races).toEqual([
        'read_write: t.read, u.write',
        'lost_update: t.read, u.write, t.write',
      ]);
    });

    it('finds the lost update of two concurrent read-await-write transfers', () => {
      const h = harness();
      const root = h.model.newRoot('t');
      const t1 = h.model.fork(root, 't1');
      const t2 = h.model.fork(root, 't2');
      h.access(t1, 'balance', 'read');
      h.access(t2, 'balance', 'read');
      h.access(t1, 'balance', 'write');
      h.access(t2, 'balance', 'write');
      expect(h.races.filter((r) => r.startsWith('lost_update'))).toEqual([
        'lost_update: t2.read, t1.write, t2.write',
      ]);
      expect(h.races.filter((r) => r.startsWith('write_write'))).toEqual([]);
    });

    it('reports no lost update when the reader read again after the other write', () => {
      const h = harness();
      const root = h.model.newRoot('t');
      const t = h.model.fork(root, 't');
      const u = h.model.fork(root, 'u');
      h.access(t, 'balance', 'read', 't.read1');
      h.access(u, 'balance', 'write');
      h.access(t, 'balance', 'read', 't.read2');
      h.access(t, 'balance', 'write');
      expect(h.races.filter((r) => r.startsWith('lost_update'))).toEqual([]);
    });

    it('reports nothing for two requests one after the other', () => {
      const h = harness();
      for (const name of ['first', 'second']) {
        const root = h.model.newRoot(name);
        h.access(root, 'balance', 'read');
        const branch = h.model.fork(root, `${name}.branch`);
        h.access(branch, 'balance', 'write');
        h.model.end(branch);
        h.model.join(root, branch);
        h.access(root, 'balance', 'write');
        h.model.end(root);
      }
      // No clock edge joins the two requests: only their lifetimes order them.
      expect(h.races).toEqual([]);
      expect(h.engine.stats().accesses).toBe(6);
    });

    it('reports overlapping requests writing one variable', () => {
      const h = harness();
      const first = h.model.newRoot('first');
      const second = h.model.newRoot('second');
      h.access(first, 'balance', 'write', 'first.write');
      h.access(second, 'balance', 'write', 'second.write');
      h.model.end(first);
      h.model.end(second);
      expect(h.races).toEqual(['write_write: first.write, second.write']);
    });

    it('compares by clocks a request whose branch outlived it with the next request', () => {
      const h = harness();
      const first = h.model.newRoot('first');
      const timer = h.model.fork(first, 'timeout');
      h.model.end(first);
      const second = h.model.newRoot('second');
      h.access(timer, 'cache', 'write', 'timer.write');
      h.access(second, 'cache', 'write', 'second.write');
      expect(h.races).toEqual(['write_write: timer.write, second.write']);
    });

    it('orders the root before children it spawns, and its later writes not', () => {
      const h = harness();
      const root = h.model.newRoot('t');
      h.access(root, 'x', 'write', 'root.before');
      const child = h.model.fork(root, 'child');
      h.access(child, 'x', 'write', 'child.write');
      h.access(root, 'x', 'write', 'root.after');
      expect(h.races).toEqual(['write_write: child.write, root.after']);
    });

    it('orders a child’s writes before its parent once the parent joined the ended child', () => {
      const h = harness();
      const root = h.model.newRoot('t');
      const child = h.model.fork(root, 'child');
      h.access(child, 'x', 'write');
      h.model.end(child);
      h.model.join(root, child);
      h.access(root, 'x', 'write');
      expect(h.races).toEqual([]);
    });

    it('orders only what a lock holder did before its release, not after', () => {
      const h = harness();
      const root = h.model.newRoot('t');
      const a = h.model.fork(root, 'a');
      const b = h.model.fork(root, 'b');
      h.model.acquire(a, 'L');
      h.access(a, 'x', 'write', 'a.locked');
      h.model.release(a, 'L');
      h.model.acquire(b, 'L');
      h.access(b, 'x', 'write', 'b.locked');
      h.model.release(b, 'L');
      h.access(a, 'x', 'write', 'a.unlocked');
      expect(h.races).toEqual(['write_write: b.locked, a.unlocked']);
    });

    it('counts a delete as a write, and does not report two reads', () => {
      const h = harness();
      const root = h.model.newRoot('t');
      const a = h.model.fork(root, 'a');
      const b = h.model.fork(root, 'b');
      h.access(a, 'session', 'read');
      h.access(b, 'session', 'read');
      expect(h.races).toEqual([]);
      h.access(b, 'session', 'delete');
      expect(h.races).toEqual(['read_write: a.read, b.delete']);
    });

    it('reports one race per kind, variable and pair of tasks, and counts the rest', () => {
      const h = harness();
      const root = h.model.newRoot('t');
      const a = h.model.fork(root, 'a');
      const b = h.model.fork(root, 'b');
      const c = h.model.fork(root, 'c');
      for (let i = 0; i < 10; i++) {
        h.access(a, 'x', 'write');
        h.access(b, 'x', 'write');
      }
      expect(h.races).toEqual(['write_write: a.write, b.write']);
      // The first write compares with nothing, the second reports: 18 repeats suppressed.
      expect(h.engine.stats().suppressedDuplicates).toBe(18);
      h.access(c, 'x', 'write');
      h.access(a, 'y', 'write');
      h.access(b, 'y', 'write');
      expect(h.races).toEqual([
        'write_write: a.write, b.write',
        'write_write: a.write, c.write',
        'write_write: b.write, c.write',
        'write_write: a.write, b.write',
      ]);
    });

    it('gives the previous access of the variable and whether it happens before', () => {
      const h = harness();
      const root = h.model.newRoot('t');
      expect(h.access(root, 'x', 'write', 'w1').previous).toBeUndefined();
      expect(h.access(root, 'x', 'read', 'r1').previous).toEqual({
        payload: 'w1',
        happensBefore: true,
      });
      const child = h.model.fork(root, 'child');
      h.access(root, 'x', 'write', 'w2');
      expect(h.access(child, 'x', 'read', 'r2').previous).toEqual({
        payload: 'w2',
        happensBefore: false,
      });
    });
  });

  describe('memory bounds', () => {
    it('holds 10,000 variables of 100,000 and counts the evicted ones', () => {
      const h = harness();
      const root = h.model.newRoot('t');
      for (let i = 0; i < 100_000; i++) h.access(root, `order_${i}.status`, 'write', 'w');
      expect(h.engine.stats()).toMatchObject({
        variables: 10_000,
        accesses: 100_000,
        evictedVariables: 90_000,
        races: 0,
      });
    });

    it('evicts the least recently used variable', () => {
      const h = harness({ maxVariables: 2 });
      const root = h.model.newRoot('t');
      const other = h.model.newRoot('u');
      h.access(root, 'a', 'write');
      h.access(root, 'b', 'write');
      h.access(root, 'a', 'read');
      h.access(root, 'c', 'write');
      // `a` was kept (used after `b`): the other request's write to it still races.
      h.access(other, 'a', 'write', 'other.write');
      expect(h.races).toEqual([
        'write_write: request.write, other.write',
        'read_write: request.read, other.write',
      ]);
      // `b` was evicted: its window went with it.
      h.access(other, 'b', 'write', 'other.write');
      expect(h.races).toHaveLength(2);
      expect(h.engine.stats()).toMatchObject({ variables: 2, evictedVariables: 2 });
    });

    it('drops the oldest accesses of a full window, counted, and compares with the rest', () => {
      const h = harness({ windowPerVariable: 2 });
      const root = h.model.newRoot('t');
      const a = h.model.fork(root, 'a');
      const b = h.model.fork(root, 'b');
      h.access(a, 'x', 'write');
      const c = h.model.fork(a, 'c');
      h.access(c, 'x', 'write', 'c.write1');
      h.access(c, 'x', 'write', 'c.write2');
      h.access(b, 'x', 'write');
      // a's write fell out of the window: b is compared with c only.
      expect(h.races).toEqual(['write_write: c.write2, b.write']);
      expect(h.engine.stats().droppedFromWindow).toBe(2);
    });

    it('keeps the window at its size', () => {
      const engine = new RaceEngine<number>({ windowPerVariable: 4 });
      const h = harness();
      const root = h.model.newRoot('t');
      for (let seq = 1; seq <= 10; seq++) {
        engine.observe({ variable: 'x', access: 'write', task: root, seq, payload: seq });
      }
      expect(engine.stats()).toMatchObject({ accesses: 10, droppedFromWindow: 6 });
    });
  });
});
