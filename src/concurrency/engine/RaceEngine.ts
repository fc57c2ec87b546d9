import type { RaceKind, StateAccessKind } from '../../types.js';
import { AccessWindow, type TaskSlot } from './AccessWindow.js';
import { happensBefore } from './happensBefore.js';
import type { HeldLock } from './LockMode.js';
import { KIND_BIT, PairLedger } from './PairLedger.js';
import type { Task } from './Task.js';
import { shareLock, type WindowEntry } from './WindowEntry.js';

/** One state access, as the recording API sees it; `payload` is returned in findings as is. */
export interface ObservedAccess<P> {
  variable: string;
  access: StateAccessKind;
  task: Task;
  /** Process-wide sequence number: must grow from one call to the next. */
  seq: number;
  payload: P;
  /**
   * Locks the task held at the access; default: what `task.held` says at the call. Ids named
   * here but not in `task.held` count as held exclusively.
   */
  locks?: readonly string[];
}

/**
 * A race on one variable: the accesses' payloads and their tasks, in seq order. Two for
 * `write_write`/`read_write`; for `lost_update`, the stale read, the other task's write, the
 * write made from the stale read.
 */
export interface RaceFinding<P> {
  kind: RaceKind;
  variable: string;
  payloads: P[];
  tasks: Task[];
  /**
   * For a `lost_update`: the `read_write` finding, reported earlier when the other task wrote,
   * for the same read and write. A caller whose record is still open may fold it into this one.
   */
  explains?: RaceFinding<P>[];
}

/** What `observe` found for one access. */
export interface Observation<P> {
  /**
   * New races this access completes (each pair of tasks reported once per kind and variable).
   * Read-only: when there are none it is one shared frozen empty list.
   */
  races: RaceFinding<P>[];
  /** The previous access of the variable in the window, and whether it happens before this one. */
  previous?: { payload: P; happensBefore: boolean };
}

/** Options of a `RaceEngine`. */
export interface RaceEngineOptions {
  /** Recent accesses kept per variable; default 64. Older ones are dropped, counted. */
  windowPerVariable?: number | undefined;
  /** Variables tracked; default 10_000. The least recently used is evicted, counted. */
  maxVariables?: number | undefined;
}

/** Counters of a `RaceEngine`. */
export interface RaceEngineStats {
  /** Variables tracked now. */
  variables: number;
  /** Accesses observed. */
  accesses: number;
  /** Variables evicted by `maxVariables` (their windows with them). */
  evictedVariables: number;
  /** Accesses dropped from a full window. */
  droppedFromWindow: number;
  /** Races reported. */
  races: number;
  /** Races not reported again: same kind, variable and pair of tasks as an earlier report. */
  suppressedDuplicates: number;
  /** `write_write` pairs not reported because a `lost_update` reported with them explains them. */
  explainedPairs: number;
}

/**
 * Race detection over a stream of state accesses in seq order: happens-before (program order,
 * request lifetimes, fork/join/lock edges, see `happensBefore`) plus common locks decide which
 * pairs are ordered; unordered pairs with a write are races. Memory is bounded by a window per
 * variable and a cap on variables; cost per access is O(tasks of live requests in the variable's
 * window), O(window) at worst.
 * @example
 * const engine = new RaceEngine<StateAccess>();
 * const { races } = engine.observe({ variable: 'balance', access: 'write', task, seq, payload });
 */
export class RaceEngine<P> {
  readonly #windowPerVariable: number;
  readonly #maxVariables: number;
  readonly #windows = new Map<string, AccessWindow<P>>();
  // The last variable touched is already the most recent in `#windows`: skip re-ordering it.
  #lastVariable: string | undefined;
  #lastWindow: AccessWindow<P> | undefined;
  #accesses = 0;
  #evictedVariables = 0;
  #droppedFromWindow = 0;
  #races = 0;
  #suppressedDuplicates = 0;
  #explainedPairs = 0;

  /** An engine with a window of 64 accesses per variable and at most 10,000 variables. */
  constructor(options: RaceEngineOptions = {}) {
    this.#windowPerVariable = positive(options.windowPerVariable, 64);
    this.#maxVariables = positive(options.maxVariables, 10_000);
  }

  /**
   * Compares an access with the recent accesses of its variable, then keeps it. Call in seq
   * order, at the moment of the access (the task's clock is read now).
   */
  observe(access: ObservedAccess<P>): Observation<P> {
    this.#accesses++;
    const window = this.#windowOf(access.variable);
    const task = access.task;
    const locks = access.locks === undefined ? task.heldLocks() : locksNamed(access.locks, task);
    const write = access.access !== 'read';
    const spare = window.takeSpare();
    let entry: WindowEntry<P>;
    if (spare === undefined) {
      entry = {
        task,
        epoch: task.epoch,
        seq: access.seq,
        write,
        payload: access.payload,
        locks,
        staleBy: undefined,
        staleFinding: undefined,
      };
    } else {
      entry = spare;
      entry.task = task;
      entry.epoch = task.epoch;
      entry.seq = access.seq;
      entry.write = write;
      entry.payload = access.payload;
      entry.locks = locks;
      entry.staleBy = undefined;
      entry.staleFinding = undefined;
    }
    // Created on the first race: most accesses race with nothing.
    let races: RaceFinding<P>[] | undefined;
    const newest = window.newest();
    const previous =
      newest === undefined
        ? undefined
        : { payload: newest.payload, happensBefore: happensBefore(newest, task, entry.seq) };

    // A write right after its task's own read that another task's write made stale.
    let explained: Task | undefined;
    if (entry.write) {
      const own = window.slotOf(task);
      const read = own?.lastRead;
      const foreign = read?.staleBy;
      if (
        read !== undefined &&
        foreign !== undefined &&
        (own?.lastWrite === undefined || own.lastWrite.seq < read.seq)
      ) {
        explained = foreign.task;
        const lost = this.#report(window, 'lost_update', access.variable, [read, foreign, entry]);
        if (lost !== undefined && read.staleFinding !== undefined) {
          lost.explains = [read.staleFinding];
        }
        races = added(races, lost);
      }
    }

    const slots = window.slots;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as TaskSlot<P>;
      if (slot.task === task) continue;
      // A retired request is ordered before everything that can still run: stop comparing
      // with it. This keeps the cost per access at O(live tasks using the variable).
      if (slot.task.root.retired) {
        slots.splice(i--, 1);
        continue;
      }
      const write = this.#racing(window, slot.lastWrite, entry);
      if (write !== undefined) {
        if (!entry.write) {
          races = added(races, this.#report(window, 'read_write', access.variable, [write, entry]));
        } else if (slot.task === explained) {
          this.#explainedPairs++;
        } else {
          races = added(
            races,
            this.#report(window, 'write_write', access.variable, [write, entry]),
          );
        }
      }
      if (!entry.write) continue;
      const read = this.#racing(window, slot.lastRead, entry);
      if (read !== undefined) {
        const finding = this.#report(window, 'read_write', access.variable, [read, entry]);
        races = added(races, finding);
        // Only the task's latest read can make its next write a lost update.
        if (read === slot.lastRead) {
          read.staleBy = entry;
          read.staleFinding = finding;
        }
      }
    }

    if (window.add(entry)) this.#droppedFromWindow++;
    // Races with nothing share one frozen empty list: no allocation.
    const result = races ?? (NO_RACES as RaceFinding<P>[]);
    return previous === undefined ? { races: result } : { races: result, previous };
  }

  /** Counters: memory held now, what was dropped, what was found. */
  stats(): RaceEngineStats {
    return {
      variables: this.#windows.size,
      accesses: this.#accesses,
      evictedVariables: this.#evictedVariables,
      droppedFromWindow: this.#droppedFromWindow,
      races: this.#races,
      suppressedDuplicates: this.#suppressedDuplicates,
      explainedPairs: this.#explainedPairs,
    };
  }

  /**
   * The access of `latest`'s task and kind (read or write) that races with `entry`: neither
   * ordered before it by happens-before nor guarded by a common lock. `latest` decides alone
   * when it is ordered (so is everything its task did before) or unguarded; only when a common
   * lock guards it are the task's earlier accesses of that kind scanned.
   */
  #racing(
    window: AccessWindow<P>,
    latest: WindowEntry<P> | undefined,
    entry: WindowEntry<P>,
  ): WindowEntry<P> | undefined {
    if (latest === undefined || happensBefore(latest, entry.task, entry.seq)) return undefined;
    if (!shareLock(latest.locks, entry.locks)) return latest;
    for (let i = 0, e = window.fromNewest(0); e !== undefined; e = window.fromNewest(++i)) {
      if (e.seq >= latest.seq || e.task !== latest.task || e.write !== latest.write) continue;
      if (happensBefore(e, entry.task, entry.seq)) return undefined;
      if (!shareLock(e.locks, entry.locks)) return e;
    }
    return undefined;
  }

  // A finding for entries in seq order, unless its (kind, task pair) was already reported here.
  #report(
    window: AccessWindow<P>,
    kind: RaceKind,
    variable: string,
    entries: WindowEntry<P>[],
  ): RaceFinding<P> | undefined {
    const first = entries[0];
    const second = entries[1];
    if (first === undefined || second === undefined) return undefined;
    window.ledger ??= new PairLedger();
    const fresh = window.ledger.claim(
      first.task,
      second.task,
      KIND_BIT[kind],
      (task) => window.slotOf(task) !== undefined,
    );
    if (!fresh) {
      this.#suppressedDuplicates++;
      return undefined;
    }
    this.#races++;
    return {
      kind,
      variable,
      payloads: entries.map((e) => e.payload),
      tasks: entries.map((e) => e.task),
    };
  }

  #windowOf(variable: string): AccessWindow<P> {
    if (variable === this.#lastVariable && this.#lastWindow !== undefined) return this.#lastWindow;
    let window = this.#windows.get(variable);
    if (window !== undefined) {
      // Least recently used order: a Map keeps insertion order, so move it to the end.
      this.#windows.delete(variable);
      this.#windows.set(variable, window);
    } else {
      window = new AccessWindow<P>(this.#windowPerVariable);
      this.#windows.set(variable, window);
      if (this.#windows.size > this.#maxVariables) {
        const oldest = this.#windows.keys().next().value;
        if (oldest !== undefined) this.#windows.delete(oldest);
        this.#evictedVariables++;
      }
    }
    this.#lastVariable = variable;
    this.#lastWindow = window;
    return window;
  }
}

// An integer >= 1, else the default (the caller validates and reports bad options).
function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}

const NO_RACES: RaceFinding<never>[] = [];
Object.freeze(NO_RACES);

function added<P>(
  races: RaceFinding<P>[] | undefined,
  finding: RaceFinding<P> | undefined,
): RaceFinding<P>[] | undefined {
  if (finding === undefined) return races;
  if (races === undefined) return [finding];
  races.push(finding);
  return races;
}

// Locks the caller named, with the modes the task holds them in (exclusive when unknown).
function locksNamed(ids: readonly string[], task: Task): readonly HeldLock[] | undefined {
  if (ids.length === 0) return undefined;
  return ids.map((id) => ({ id, mode: task.held.get(id) ?? 'exclusive' }));
}
