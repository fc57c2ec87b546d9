import type { Span } from '@opentelemetry/api';
import type { EventRecord } from '../core/records/EventRecord.js';
import { STATE, stateDetailOf } from '../core/records/state.js';
import { copyRace, stateAccessOf, type RaceOwner } from '../core/records/StateDetail.js';
import { reportInternalError } from '../core/registry.js';
import type { TraceAnalyzer } from '../processor/TraceAnalyzer.js';
import type { Race } from '../types.js';
import { RaceEngine, type RaceFinding } from './engine/RaceEngine.js';
import type { Task } from './engine/Task.js';
import { endRootsOf, onTaskEnd, startEndingRoots } from './tasks.js';

/** Options of `RaceDetector`; each is checked where it is given. */
export interface RaceDetectorOptions {
  /**
   * Gets each race found (a copy), on the path of the access that completed it: keep it cheap.
   * Its throws are counted (`onRaceErrors`) and never reach the application.
   */
  onRace?: (race: Race) => void;
  /** Recent accesses kept per variable to compare with (oldest dropped, counted). Default 64. */
  windowPerVariable?: number;
  /** Variables followed at once (least recently used dropped, counted). Default 10,000. */
  maxVariables?: number;
}

/** Read/write races held back at once (see `RaceDetector`); past it the oldest are reported. */
const MAX_HELD = 10_000;

/** A read/write race whose read came first, held until its reader shows what it was. */
interface HeldRace {
  finding: RaceFinding<EventRecord>;
  traceId: string;
}

/** What a detector counts; see `RaceDetector.stats`. */
export interface RaceDetectorStats {
  variables: number;
  accesses: number;
  races: number;
  evictedVariables: number;
  droppedFromWindow: number;
  suppressedDuplicates: number;
  onRaceErrors: number;
  /** Read/write races held back now, waiting for their reader (see the class). */
  held: number;
}

function positiveInteger(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`RaceDetector: ${name} must be an integer >= 1, got ${String(value)}`);
  }
  return value;
}

/**
 * A `TraceAnalyzer` that finds races between the state accesses of the processor's requests,
 * inside one request and across concurrent ones: lost updates, and write/write or read/write
 * pairs no happens-before edge orders and no common lock guards (see docs/concurrency.md).
 * Each race goes into both requests' JSON (`races`), onto both accesses' spans as a
 * `stepmark.race` event (error status), and to `onRace`. Memory is bounded.
 *
 * A read/write race whose read came first is held back until its reader shows what it was: a
 * write by the reader from that stale read makes it part of a lost update (one report, not two);
 * its next access of the variable, its end or its request's end report it as it is. A race goes
 * into the JSON of each request still open when it is reported (JSON already delivered never
 * changes); `onRace` gets every one.
 * @example new StepmarkSpanProcessor({ analyzers: [new RaceDetector({ onRace: (r) => log.warn(r) })] })
 */
export class RaceDetector implements TraceAnalyzer {
  readonly name = 'RaceDetector';
  readonly #engine: RaceEngine<EventRecord>;
  readonly #onRace: ((race: Race) => void) | undefined;
  #onRaceErrors = 0;
  /** Held read/write races by their reader's task, in the order they were held. */
  readonly #held = new Map<Task, HeldRace[]>();
  #heldCount = 0;

  constructor(options: RaceDetectorOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('RaceDetector: options must be an object');
    }
    if (options.onRace !== undefined && typeof options.onRace !== 'function') {
      throw new TypeError('RaceDetector: onRace must be a function (race) => void');
    }
    this.#onRace = options.onRace;
    this.#engine = new RaceEngine<EventRecord>({
      windowPerVariable: positiveInteger('windowPerVariable', options.windowPerVariable),
      maxVariables: positiveInteger('maxVariables', options.maxVariables),
    });
    startEndingRoots();
    onTaskEnd((task) => this.#release(task));
  }

  /** Orders each state access against the recent ones of its variable; reports what races. */
  onRecord(record: EventRecord, traceId: string): void {
    if (record.recordKind !== STATE) return;
    const detail = stateDetailOf(record);
    const task = detail.task as Task | undefined;
    if (task === undefined) return;
    const seen = this.#engine.observe({
      variable: detail.variable,
      access: detail.access,
      task,
      seq: record.seq,
      payload: record,
    });
    if (seen.previous !== undefined) {
      detail.previous = {
        seq: seen.previous.payload.seq,
        happens_before: seen.previous.happensBefore,
      };
    }
    const races = seen.races;
    let fresh: RaceFinding<EventRecord>[] | undefined;
    for (const finding of races) {
      if (finding.explains !== undefined) for (const e of finding.explains) this.#forget(e);
      if (finding.kind === 'read_write' && isReadFirst(finding)) (fresh ??= []).push(finding);
      else this.#report(finding, traceId);
    }
    // The reader touched the variable again and no lost update came of it: report as it is.
    if (this.#heldCount > 0) this.#release(task, detail.variable);
    if (fresh !== undefined) for (const finding of fresh) this.#hold(finding, traceId);
  }

  /** The request ended: its root task ends, which orders it before every later request. */
  onTraceEnd(traceId: string): void {
    endRootsOf(traceId);
    if (this.#heldCount === 0) return;
    // Branches that never ended (a promise never settled): their held races are due now.
    for (const task of [...this.#held.keys()]) {
      if (task.root.traceId === traceId) this.#release(task);
    }
  }

  /** What the detector holds and found. */
  stats(): RaceDetectorStats {
    return { ...this.#engine.stats(), onRaceErrors: this.#onRaceErrors, held: this.#heldCount };
  }

  #hold(finding: RaceFinding<EventRecord>, traceId: string): void {
    const reader = finding.tasks[0];
    if (reader === undefined) return this.#report(finding, traceId);
    if (this.#heldCount >= MAX_HELD) {
      const oldest = this.#held.keys().next().value;
      if (oldest !== undefined) this.#release(oldest);
    }
    const list = this.#held.get(reader);
    if (list === undefined) this.#held.set(reader, [{ finding, traceId }]);
    else list.push({ finding, traceId });
    this.#heldCount++;
  }

  /** Drops a held race a lost update explains (reported in its place). */
  #forget(finding: RaceFinding<EventRecord>): void {
    const reader = finding.tasks[0];
    const list = reader === undefined ? undefined : this.#held.get(reader);
    if (list === undefined || reader === undefined) return;
    const at = list.findIndex((h) => h.finding === finding);
    if (at < 0) return;
    list.splice(at, 1);
    this.#heldCount--;
    if (list.length === 0) this.#held.delete(reader);
  }

  /** Reports what `reader` holds (of `variable` only, when given). */
  #release(reader: Task, variable?: string): void {
    const list = this.#held.get(reader);
    if (list === undefined) return;
    const due = variable === undefined ? list : list.filter((h) => h.finding.variable === variable);
    if (due.length === 0) return;
    const kept = variable === undefined ? [] : list.filter((h) => h.finding.variable !== variable);
    if (kept.length === 0) this.#held.delete(reader);
    else this.#held.set(reader, kept);
    this.#heldCount -= due.length;
    for (const h of due) this.#report(h.finding, h.traceId);
  }

  #report(finding: RaceFinding<EventRecord>, traceId: string): void {
    try {
      this.#deliver(finding, traceId);
    } catch (error) {
      reportInternalError('RaceDetector', error);
    }
  }

  #deliver(finding: RaceFinding<EventRecord>, traceId: string): void {
    const race: Race = {
      kind: finding.kind,
      variable: finding.variable,
      accesses: finding.payloads.map((r) =>
        stateAccessOf(stateDetailOf(r), r.time, r.seq, r.spanId, traceId),
      ),
    };
    // One span event per distinct span of the race's accesses, each in its own request.
    const told = new Set<Span | RaceOwner>();
    for (const r of finding.payloads) {
      const { owner, span } = stateDetailOf(r);
      if (owner === undefined || told.has(span ?? owner)) continue;
      told.add(span ?? owner);
      owner.addRace(race, span);
    }
    const onRace = this.#onRace;
    if (onRace === undefined) return;
    try {
      onRace(copyRace(race));
    } catch (error) {
      this.#onRaceErrors++;
      reportInternalError('RaceDetector.onRace', error);
    }
  }
}

/** Whether the race's first access is the read (the write came after it). */
function isReadFirst(finding: RaceFinding<EventRecord>): boolean {
  const first = finding.payloads[0];
  return first !== undefined && stateDetailOf(first).access === 'read';
}
