import type { Span } from '@opentelemetry/api';
import type { EventRecord } from '../core/records/EventRecord.js';
import { STATE, stateDetailOf } from '../core/records/state.js';
import { copyRace, stateAccessOf, type RaceOwner } from '../core/records/StateDetail.js';
import { reportInternalError } from '../core/registry.js';
import type { TraceAnalyzer } from '../processor/TraceAnalyzer.js';
import type { Race } from '../types.js';
import { RaceEngine, type RaceFinding } from './engine/RaceEngine.js';
import type { Task } from './engine/Task.js';
import { countEndingRoots, endRootsOf } from './tasks.js';

/** Options of `RaceDetector`; each is checked where it is given. */
export interface RaceDetectorOptions {
  /** Gets each race found (a copy), off nothing: keep it cheap. Its throws are counted. */
  onRace?: (race: Race) => void;
  /** Recent accesses kept per variable to compare with (oldest dropped, counted). Default 64. */
  windowPerVariable?: number;
  /** Variables followed at once (least recently used dropped, counted). Default 10,000. */
  maxVariables?: number;
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
 * @example new StepmarkSpanProcessor({ analyzers: [new RaceDetector({ onRace: (r) => log.warn(r) })] })
 */
export class RaceDetector implements TraceAnalyzer {
  readonly name = 'RaceDetector';
  readonly #engine: RaceEngine<EventRecord>;
  readonly #onRace: ((race: Race) => void) | undefined;
  #onRaceErrors = 0;

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
    countEndingRoots(1);
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
      detail.previous = { seq: seen.previous.payload.seq, happens_before: seen.previous.happensBefore };
    }
    for (const finding of seen.races) this.#report(finding, traceId);
  }

  /** The request ended: its root task ends, which orders it before every later request. */
  onTraceEnd(traceId: string): void {
    endRootsOf(traceId);
  }

  /** What the detector holds and found. */
  stats(): RaceDetectorStats {
    return { ...this.#engine.stats(), onRaceErrors: this.#onRaceErrors };
  }

  #report(finding: RaceFinding<EventRecord>, traceId: string): void {
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
