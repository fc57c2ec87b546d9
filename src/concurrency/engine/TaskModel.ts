import { happensBefore, type AccessPoint } from './happensBefore.js';
import { LockClock } from './LockClock.js';
import type { LockMode } from './LockMode.js';
import { RequestRoot } from './RequestRoot.js';
import { Task } from './Task.js';
import { VectorClock } from './VectorClock.js';

/** Options of a `TaskModel`. */
export interface TaskModelOptions {
  /** Entries above which a clock folds entries of forgotten requests; default 256. */
  foldAbove?: number | undefined;
  /**
   * Ended requests kept while an older request is still live (they may still be ordered by
   * clocks against it); default 10_000. Past it the oldest are forgotten early, counted.
   */
  maxRetainedRoots?: number | undefined;
  /** Lock ids whose release clocks are kept, least recently used evicted; default 10_000. */
  maxLocks?: number | undefined;
}

/** Counters of a `TaskModel`: its memory now and what it had to drop. */
export interface TaskModelStats {
  /** Requests with a task still live. */
  liveRoots: number;
  /** Ended requests not forgotten yet (a request older than them is still live). */
  retainedRoots: number;
  /** Tasks whose request is not forgotten. */
  trackedTasks: number;
  /** Locks with release clocks. */
  locks: number;
  /** Clock folds that removed entries of forgotten requests, and the entries removed. */
  folds: number;
  foldedEntries: number;
  /** Locks whose release clocks were evicted by `maxLocks` (their next acquire has no edge). */
  evictedLocks: number;
  /** Ended requests forgotten early by `maxRetainedRoots`. */
  forcedForgets: number;
}

const NO_ROOT = Number.POSITIVE_INFINITY;

/**
 * The happens-before model of the process: tasks, their clocks, and the edges between them
 * (fork, join, lock release → acquire), plus request lifetimes. One per process (`taskModel`).
 *
 * Sequence numbers: by default the model numbers events itself (`seq()`); a caller with its own
 * process-wide counter passes its numbers (`newRoot(id, seq)`, `end(task, seq)`) or installs it
 * (`useSeq`). Only numbers of one counter are ever compared.
 *
 * Memory: a request is forgotten once it has ended and every request still live started after
 * that end; from then on the lifetime rule orders it before everything that can still run, so
 * clock entries of its tasks carry nothing and are folded away when a clock grows past
 * `foldAbove`. That is exact, not a heuristic: see `TaskModelOptions.maxRetainedRoots` for the
 * one bound that trades exactness for memory.
 */
export class TaskModel {
  readonly #foldAbove: number;
  readonly #maxRetainedRoots: number;
  readonly #maxLocks: number;
  #counter = 0;
  #nextSeq: () => number = () => ++this.#counter;
  #nextTaskId = 1;
  // Roots with a live task, in creation (so start) order: the first holds the horizon.
  readonly #liveRoots = new Set<RequestRoot>();
  // Ended roots not forgotten yet, in end order (a queue with a head index).
  #ended: (RequestRoot | undefined)[] = [];
  #endedHead = 0;
  // Task id → root, for tasks of roots not forgotten: an id missing here is foldable.
  readonly #rootOfTask = new Map<number, RequestRoot>();
  readonly #locks = new Map<string, LockClock>();
  readonly #foldable = (taskId: number): boolean => !this.#rootOfTask.has(taskId);
  // Bumped whenever a root is forgotten: lock clocks fold when they see it move.
  #forgetGeneration = 0;
  #folds = 0;
  #foldedEntries = 0;
  #evictedLocks = 0;
  #forcedForgets = 0;

  /** A model with its own sequence counter. */
  constructor(options: TaskModelOptions = {}) {
    this.#foldAbove = options.foldAbove ?? 256;
    this.#maxRetainedRoots = options.maxRetainedRoots ?? 10_000;
    this.#maxLocks = options.maxLocks ?? 10_000;
  }

  /** Next process-wide sequence number (from `useSeq`'s counter when one is installed). */
  seq(): number {
    return this.#nextSeq();
  }

  /**
   * Numbers events with the caller's counter (e.g. the registry's `seq`), so that the seqs the
   * model assigns and the seqs of accesses come from one sequence; undefined restores its own.
   */
  useSeq(next: (() => number) | undefined): void {
    this.#nextSeq = next ?? (() => ++this.#counter);
  }

  /**
   * The root task of a new request. It starts knowing nothing: earlier requests that have
   * ended are ordered before it by the lifetime rule, overlapping ones are concurrent.
   * @example const root = taskModel.newRoot(span.spanContext().traceId);
   */
  newRoot(traceId: string, seq: number = this.seq()): Task {
    const root = new RequestRoot(traceId, seq);
    this.#liveRoots.add(root);
    return this.#newTask('request', root, undefined, new VectorClock(this.#foldAbove));
  }

  /**
   * Spawn edge: the child starts with a copy of the parent's clock (all the parent did so far
   * happens before the child), then the parent ticks (what it does next does not). A fork from a
   * request that has already ended entirely (a late timer) starts a continuation root of the
   * same trace, so the ended request keeps its lifetime ordering.
   * @example const branch = taskModel.fork(current, 'fetchPrices');
   */
  fork(parent: Task, name: string): Task {
    let root = parent.root;
    if (root.endSeq !== undefined) {
      root = new RequestRoot(root.traceId, this.seq());
      this.#liveRoots.add(root);
    }
    const child = this.#newTask(name, root, parent, parent.clock.copy());
    parent.clock.tick(parent.id);
    return child;
  }

  /**
   * The task is done. When it was the last live task of its request, the request ends at `seq`
   * (numbered only then), and requests that can no longer matter are forgotten.
   */
  end(task: Task, seq?: number): void {
    if (task.ended) return;
    task.ended = true;
    const root = task.root;
    if (--root.liveTasks > 0) return;
    root.endSeq = seq ?? this.seq();
    this.#liveRoots.delete(root);
    this.#ended.push(root);
    this.#forget();
  }

  /**
   * Join edge: `into` awaited `from` (which ended, or settled the promise `into` awaited), so all
   * `from` did happens before what `into` does next. `from` ticks too, in case it goes on.
   * @example taskModel.end(branch); taskModel.join(current, branch);
   */
  join(into: Task, from: Task): void {
    if (into === from) return;
    into.clock.join(from.clock);
    into.clock.tick(into.id);
    if (!from.ended) from.clock.tick(from.id);
    this.#maybeFold(into.clock);
  }

  /**
   * The task holds `lockId` now: it learns what the lock's earlier releases knew (exclusive:
   * every release; shared: exclusive releases only). Record it after the lock is really held.
   */
  acquire(task: Task, lockId: string, mode: LockMode = 'exclusive'): void {
    const lock = this.#lock(lockId);
    if (lock.foldedAt !== this.#forgetGeneration) {
      lock.foldedAt = this.#forgetGeneration;
      this.#fold(lock.exclusive);
      this.#fold(lock.shared);
    }
    lock.acquire(task, mode);
    task.hold(lockId, mode);
    this.#maybeFold(task.clock);
  }

  /**
   * The task lets `lockId` go: the lock learns what the task knew, and the task ticks so that
   * what it does after the release is not ordered before the next holder. False when the task
   * did not hold the lock (the edge is still recorded, as exclusive: a release is a release).
   */
  release(task: Task, lockId: string): boolean {
    const mode = task.letGo(lockId);
    const lock = this.#lock(lockId);
    lock.release(task, mode ?? 'exclusive');
    this.#maybeFold(lock.exclusive);
    this.#maybeFold(lock.shared);
    task.clock.tick(task.id);
    return mode !== undefined;
  }

  /** Whether access `a` happens before an access by `bTask` at `bSeq` (see `happensBefore`). */
  happensBefore(a: AccessPoint, bTask: Task, bSeq: number): boolean {
    return happensBefore(a, bTask, bSeq);
  }

  /** The access point of an access `task` makes now at `seq`. */
  point(task: Task, seq: number): AccessPoint {
    return { task, epoch: task.epoch, seq };
  }

  /** Memory and drop counters. */
  stats(): TaskModelStats {
    return {
      liveRoots: this.#liveRoots.size,
      retainedRoots: this.#ended.length - this.#endedHead,
      trackedTasks: this.#rootOfTask.size,
      locks: this.#locks.size,
      folds: this.#folds,
      foldedEntries: this.#foldedEntries,
      evictedLocks: this.#evictedLocks,
      forcedForgets: this.#forcedForgets,
    };
  }

  #newTask(name: string, root: RequestRoot, parent: Task | undefined, clock: VectorClock): Task {
    const id = this.#nextTaskId++;
    // Epochs start at 1: epoch 0 would read as "already known" to every clock.
    clock.tick(id);
    const task = new Task(id, name, root, parent, clock);
    root.liveTasks++;
    root.taskIds.push(id);
    this.#rootOfTask.set(id, root);
    return task;
  }

  #lock(lockId: string): LockClock {
    let lock = this.#locks.get(lockId);
    if (lock !== undefined) {
      // Least recently used order: a Map keeps insertion order, so move it to the end.
      this.#locks.delete(lockId);
      this.#locks.set(lockId, lock);
      return lock;
    }
    lock = new LockClock(this.#foldAbove);
    this.#locks.set(lockId, lock);
    if (this.#locks.size > this.#maxLocks) {
      const oldest = this.#locks.keys().next().value;
      if (oldest !== undefined) this.#locks.delete(oldest);
      this.#evictedLocks++;
    }
    return lock;
  }

  #maybeFold(clock: VectorClock): void {
    if (clock.size <= clock.foldAt) return;
    this.#fold(clock);
    // Entries of live requests cannot go: fold again only once the clock has doubled.
    clock.foldAt = Math.max(this.#foldAbove, clock.size * 2);
  }

  #fold(clock: VectorClock): void {
    if (clock.size === 0) return;
    const removed = clock.fold(this.#foldable);
    if (removed === 0) return;
    this.#folds++;
    this.#foldedEntries += removed;
  }

  // Forgets ended roots that ended before every live root started (the horizon).
  #forget(): void {
    const first = this.#liveRoots.values().next();
    const horizon = first.done === true ? NO_ROOT : first.value.startSeq;
    const ended = this.#ended;
    while (this.#endedHead < ended.length) {
      const root = ended[this.#endedHead];
      if (root === undefined) break;
      const retained = ended.length - this.#endedHead;
      if ((root.endSeq ?? NO_ROOT) >= horizon) {
        if (retained <= this.#maxRetainedRoots) break;
        // Not retired: a live request that overlapped it may still race with it.
        this.#forcedForgets++;
      } else {
        root.retired = true;
      }
      for (const id of root.taskIds) this.#rootOfTask.delete(id);
      root.taskIds.length = 0;
      this.#forgetGeneration++;
      ended[this.#endedHead++] = undefined;
    }
    if (this.#endedHead > 1024 && this.#endedHead * 2 > ended.length) {
      this.#ended = ended.slice(this.#endedHead);
      this.#endedHead = 0;
    }
  }
}

/** The process's model: every traced request and task of this copy of the package. */
export const taskModel = new TaskModel();
