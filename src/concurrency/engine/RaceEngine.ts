import type { RaceKind, StateAccessKind } from '../../types.js';
import { AccessWindow } from './AccessWindow.js';
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
  /** New races this access completes (each pair of tasks reported once per kind and variable). */
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
 * variable and a cap on variables; cost per access is O(tasks in the variable's window).
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
    this.#windowPerVariable = Math.max(1, Math.floor(options.windowPerVariable ?? 64));
    this.#maxVariables = Math.max(1, Math.floor(options.maxVariables ?? 10_000));
  }

  /**
   * Compares an access with the recent accesses of its variable, then keeps it. Call in seq
   * order, at the moment of the access (the task's clock is read now).
   */
  observe(access: ObservedAccess<P>): Observation<P> {
    this.#accesses++;
    const window = this.#windowOf(access.variable);
    const task = access.task;
    const entry: WindowEntry<P> = {
      task,
      epoch: task.epoch,
      seq: access.seq,
      write: access.access !== 'read',
      payload: access.payload,
      locks: access.locks === undefined ? task.heldLocks() : locksNamed(access.locks, task),
      staleBy: undefined,
      staleFinding: undefined,
    };
    const races: RaceFinding<P>[] = [];
    const newest = window.newest();
    const observation: Observation<P> =
      newest === undefined
        ? { races }
        : {
            races,
            previous: {
              payload: newest.payload,
              happensBefore: happensBefore(newest, task, entry.seq),
            },
          };

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
        if (lost !== undefined) {
          if (read.staleFinding !== undefined) lost.explains = [read.staleFinding];
          races.push(lost);
        }
      }
    }

    for (const slot of window.slots) {
      if (slot.task === task) continue;
      const write = slot.lastWrite;
      if (write !== undefined && this.#unordered(write, entry)) {
        if (!entry.write) {
          this.#push(races, this.#report(window, 'read_write', access.variable, [write, entry]));
        } else if (slot.task === explained) {
          this.#explainedPairs++;
        } else {
          this.#push(races, this.#report(window, 'write_write', access.variable, [write, entry]));
        }
      }
      const read = slot.lastRead;
      if (entry.write && read !== undefined && this.#unordered(read, entry)) {
        read.staleBy = entry;
        read.staleFinding = this.#report(window, 'read_write', access.variable, [read, entry]);
        this.#push(races, read.staleFinding);
      }
    }

    if (window.add(entry)) this.#droppedFromWindow++;
    return observation;
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

  // Neither ordered by happens-before nor guarded by a common lock.
  #unordered(a: WindowEntry<P>, b: WindowEntry<P>): boolean {
    return !happensBefore(a, b.task, b.seq) && !shareLock(a.locks, b.locks);
  }

  #push(races: RaceFinding<P>[], finding: RaceFinding<P> | undefined): void {
    if (finding !== undefined) races.push(finding);
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

// Locks the caller named, with the modes the task holds them in (exclusive when unknown).
function locksNamed(ids: readonly string[], task: Task): readonly HeldLock[] | undefined {
  if (ids.length === 0) return undefined;
  return ids.map((id) => ({ id, mode: task.held.get(id) ?? 'exclusive' }));
}
