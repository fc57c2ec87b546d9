// The engine against a brute-force oracle on random programs: happens-before as plain graph
// reachability over every event (program order, fork, join, lock release → acquire) plus the
// request lifetime rule, and every pair of accesses compared (no window, no pruning, no epochs).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HeldLock, LockMode } from '../../../src/concurrency/engine/LockMode.js';
import { RaceEngine } from '../../../src/concurrency/engine/RaceEngine.js';
import type { Task } from '../../../src/concurrency/engine/Task.js';
import { TaskModel } from '../../../src/concurrency/engine/TaskModel.js';
import type { StateAccessKind } from '../../../src/types.js';

interface OracleRoot {
  start: number;
  end: number | undefined;
  live: number;
}
interface OracleTask {
  task: Task;
  root: OracleRoot;
  last: number; // its latest event node
  ended: boolean;
  held: Map<string, LockMode>;
}
interface OracleAccess {
  node: number;
  who: OracleTask;
  variable: string;
  kind: StateAccessKind;
  seq: number;
  locks: HeldLock[];
}

const LOCKS = ['L1', 'L2'];
const VARIABLES = ['x', 'y'];
const KINDS: StateAccessKind[] = ['read', 'write', 'write', 'delete'];

function run(steps: [number, number, number, number][], window = 100_000): void {
  let seq = 0;
  const model = new TaskModel({ foldAbove: 4 }); // fold often: folding must never change a verdict
  model.useSeq(() => ++seq);
  const engine = new RaceEngine<OracleAccess>({ windowPerVariable: window });
  const preds: number[][] = [];
  const node = (...from: number[]): number => preds.push(from) - 1;
  const tasks: OracleTask[] = [];
  const accesses: OracleAccess[] = [];
  const releases = new Map<string, { node: number; mode: LockMode }[]>();
  const reported = new Set<string>();
  let roots = 0;

  const reaches = (from: number, to: number): boolean => {
    const seen = new Set<number>();
    const stack = [to];
    while (stack.length > 0) {
      const n = stack.pop() as number;
      if (n === from) return true;
      if (seen.has(n)) continue;
      seen.add(n);
      stack.push(...(preds[n] ?? []));
    }
    return false;
  };
  const ordered = (a: OracleAccess, b: OracleAccess): boolean =>
    a.who === b.who
      ? a.seq < b.seq
      : (a.who.root.end !== undefined && a.who.root.end < b.who.root.start) ||
        reaches(a.node, b.node);
  const guarded = (a: OracleAccess, b: OracleAccess): boolean =>
    a.locks.some((x) =>
      b.locks.some((y) => x.id === y.id && (x.mode === 'exclusive' || y.mode === 'exclusive')),
    );
  const newRoot = (): void => {
    const start = ++seq;
    const root: OracleRoot = { start, end: undefined, live: 1 };
    tasks.push({
      task: model.newRoot(`r${roots++}`, start),
      root,
      last: node(),
      ended: false,
      held: new Map(),
    });
  };
  const pick = <T>(list: T[], n: number): T | undefined => list[n % Math.max(1, list.length)];

  newRoot();
  for (const [op, a, b, c] of steps) {
    const live = tasks.filter((t) => !t.ended);
    const who = pick(live, a);
    switch (op % 7) {
      case 0:
        if (roots < 4) newRoot();
        break;
      case 1: {
        const parent = pick(tasks, a) as OracleTask; // an ended parent too: a late callback
        let root = parent.root;
        if (root.end !== undefined) root = { start: seq + 1, end: undefined, live: 0 };
        root.live++;
        const fork = node(parent.last);
        parent.last = fork;
        const task = model.fork(parent.task, `f${tasks.length}`);
        expect(task.root.startSeq).toBe(root.start);
        tasks.push({ task, root, last: node(fork), ended: false, held: new Map() });
        break;
      }
      case 2: {
        if (who === undefined) break;
        who.ended = true;
        who.last = node(who.last);
        const at = ++seq;
        model.end(who.task, at);
        if (--who.root.live === 0) who.root.end = at;
        const into = pick(
          tasks.filter((t) => !t.ended),
          b,
        );
        if (into !== undefined && b % 2 === 0) {
          into.last = node(into.last, who.last);
          model.join(into.task, who.task);
        }
        break;
      }
      case 3: {
        const lock = LOCKS[b % 2] as string;
        const mode: LockMode = c % 2 === 0 ? 'exclusive' : 'shared';
        const holders = tasks.filter((t) => t.held.has(lock));
        const free =
          mode === 'exclusive'
            ? holders.length === 0
            : holders.every((t) => t.held.get(lock) === 'shared');
        if (who === undefined || who.held.has(lock) || !free) break;
        const from = (releases.get(lock) ?? []).filter(
          (r) => mode === 'exclusive' || r.mode === 'exclusive',
        );
        who.last = node(who.last, ...from.map((r) => r.node));
        who.held.set(lock, mode);
        model.acquire(who.task, lock, mode);
        break;
      }
      case 4: {
        const holder = pick(
          tasks.filter((t) => !t.ended && t.held.size > 0),
          a,
        );
        if (holder === undefined) break;
        const [lock, mode] = [...holder.held][b % holder.held.size] as [string, LockMode];
        holder.held.delete(lock);
        holder.last = node(holder.last);
        releases.set(lock, [...(releases.get(lock) ?? []), { node: holder.last, mode }]);
        expect(model.release(holder.task, lock)).toBe(true);
        break;
      }
      default: {
        if (who === undefined) break;
        // Now and then a lock the model never heard of, named by the caller (held exclusively).
        const named = c % 5 === 0 ? ['L3', ...who.held.keys()] : undefined;
        const locks: HeldLock[] = named
          ? named.map((id) => ({ id, mode: who.held.get(id) ?? 'exclusive' }))
          : [...who.held].map(([id, mode]) => ({ id, mode }));
        who.last = node(who.last);
        const access: OracleAccess = {
          node: who.last,
          who,
          variable: VARIABLES[b % 2] as string,
          kind: KINDS[c % 4] as StateAccessKind,
          seq: ++seq,
          locks,
        };
        const before = accesses.filter((x) => x.variable === access.variable).at(-1);
        accesses.push(access);
        const seen = engine.observe({
          variable: access.variable,
          access: access.kind,
          task: who.task,
          seq: access.seq,
          payload: access,
          ...(named ? { locks: named } : {}),
        });
        if (window > accesses.length) expect(seen.previous?.payload).toBe(before);
        if (before && seen.previous) {
          expect(seen.previous.payload).toBe(before);
          expect(seen.previous.happensBefore).toBe(ordered(before, access));
        }
        for (const race of seen.races) {
          const [first, second] = race.payloads as [OracleAccess, OracleAccess];
          reported.add(key(race.kind, access.variable, first.who.task, second.who.task));
        }
      }
    }
  }

  // What the oracle says must be reported.
  const expected = new Set<string>();
  const lostPairs = new Set<string>();
  for (const [i, b] of accesses.entries()) {
    const earlier = accesses.slice(0, i).filter((a) => a.variable === b.variable);
    for (const a of earlier) {
      if (a.who === b.who || (a.kind === 'read' && b.kind === 'read')) continue;
      if (ordered(a, b) || guarded(a, b)) continue;
      const kind = a.kind !== 'read' && b.kind !== 'read' ? 'write_write' : 'read_write';
      expected.add(key(kind, b.variable, a.who.task, b.who.task));
    }
    if (b.kind === 'read') continue;
    const own = earlier.filter((a) => a.who === b.who);
    const read = own.filter((a) => a.kind === 'read').at(-1);
    const write = own.filter((a) => a.kind !== 'read').at(-1);
    if (read === undefined || (write !== undefined && write.seq > read.seq)) continue;
    const stale = earlier
      .filter((w) => w.seq > read.seq && w.who !== b.who && w.kind !== 'read')
      .filter((w) => !ordered(read, w) && !guarded(read, w))
      .at(-1);
    if (stale === undefined) continue;
    expected.add(key('lost_update', b.variable, b.who.task, stale.who.task));
    lostPairs.add(key('write_write', b.variable, b.who.task, stale.who.task));
  }
  const missing = [...expected].filter((k) => !reported.has(k) && !lostPairs.has(k));
  const extra = [...reported].filter((k) => !expected.has(k));
  // A small window only loses races (those with accesses that fell out): it never invents one.
  expect({ missing: window > accesses.length ? missing : [], extra }).toEqual({
    missing: [],
    extra: [],
  });
}

function key(kind: string, variable: string, a: Task, b: Task): string {
  return `${kind} ${variable} ${Math.min(a.id, b.id)}-${Math.max(a.id, b.id)}`;
}

describe('RaceEngine', () => {
  describe('.observe against a brute-force oracle', () => {
    it('reports exactly the races of random programs (forks, joins, locks, requests)', () => {
      const step = fc.tuple(fc.nat(6), fc.nat(1000), fc.nat(1000), fc.nat(1000));
      fc.assert(
        fc.property(fc.array(step, { maxLength: 120 }), (steps) => run(steps)),
        { seed: 20261201, numRuns: 3000 },
      );
    });

    it('reports no race the oracle does not know with a window of 3 (reused entries)', () => {
      const step = fc.tuple(fc.nat(6), fc.nat(1000), fc.nat(1000), fc.nat(1000));
      fc.assert(
        fc.property(fc.array(step, { maxLength: 120 }), (steps) => run(steps, 3)),
        { seed: 20261202, numRuns: 1500 },
      );
    });
  });
});
