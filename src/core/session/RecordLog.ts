import type { AttributeValue } from '@opentelemetry/api';
import { CallerStage, callerName } from '../callerName.js';
import { catchRejection } from '../isThenable.js';
import type { ResolvedOptions } from '../options.js';
import { REDACTED } from '../redaction/Redactor.js';
import type { Span } from '@opentelemetry/api';
import type { MetaValue, Race, StateAccessKind } from '../../types.js';
import { DECISION } from '../records/decision.js';
import { LOG } from '../records/log.js';
import { LogDetail } from '../records/LogDetail.js';
import { RACE, raceRecord } from '../records/race.js';
import { STATE } from '../records/state.js';
import { StateDetail, type LazyText, type RaceOwner } from '../records/StateDetail.js';
import { EventRecord } from '../records/EventRecord.js';
import { attributeValue } from '../records/metaAttributes.js';
import type { RecordKind } from '../records/RecordKind.js';
import { TraceDraft } from '../records/TraceDraft.js';
import { TRACK } from '../records/track.js';
import { registry, reportInternalError } from '../registry.js';
import { entityIdOf, labelOf, sanitizeMeta, sanitizeValue } from '../sanitize.js';

/** A state access as the concurrency API hands it over (see `RecordLog.state`). */
export interface StateInput {
  variable: unknown;
  access: StateAccessKind;
  value: unknown;
  oldValue: unknown;
  /** The task's id as the JSON shows it (`t3:transfer`). */
  taskId: string;
  locks: readonly string[] | undefined;
  location: LazyText | string | undefined;
  /** The concurrency engine's task, for a `RaceDetector`; opaque here. */
  task: unknown;
}

/** A log as `stepmark-otel/runtime` hands it over (see `RecordLog.log`). */
export interface LogInput {
  category: unknown;
  message: unknown;
  meta: unknown;
  /** The names of the task and region it is written in (labels already), when in one. */
  task: string | undefined;
  region: string | undefined;
}

/** The last segment of a path (`user.password` → `password`, `items[3]` → `items[3]`). */
function lastSegment(variable: string): string {
  const dot = variable.lastIndexOf('.');
  return dot < 0 ? variable : variable.slice(dot + 1);
}

/**
 * The records of one request and their caps: turns a caller's arguments into sanitized records
 * (or counts why it did not), and keeps them in the request's `TraceDraft` for the JSON.
 */
export class RecordLog {
  readonly draft = new TraceDraft();
  readonly #options: ResolvedOptions;
  /** Epoch milliseconds minus performance.now(), taken as the SDK anchors its spans. */
  readonly #epochOffset = Date.now() - performance.now();
  #eventCount = 0;
  #lastVariable: string | undefined = undefined;
  #lastRedacted = false;
  #trackWrites = 0;
  /** Counts each cap a meta value meets (see `OnCap`); bound once, passed to every sanitize. */
  readonly #onCap = (): void => {
    this.draft.counters.truncatedMeta++;
  };

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.draft.redactor = options.redactor;
    if (options.traceMeta !== undefined) {
      this.draft.meta = sanitizeMeta(
        options.traceMeta,
        options.maxStringLength,
        options.redactor,
        this.#onCap,
      );
    }
  }

  /** Milliseconds since the epoch from the configured clock (or the high-resolution clock). */
  now(): number {
    const clock = this.#options.clock;
    if (clock === undefined) return performance.now() + this.#epochOffset;
    try {
      const date = clock();
      catchRejection('options.clock', date);
      const t = date.getTime();
      return Number.isFinite(t) ? t : Date.now();
    } catch (error) {
      reportInternalError('options.clock', error);
      return Date.now();
    }
  }

  /**
   * A decision about entity `id` (undefined `id`: of the request itself), kept in the draft; or
   * undefined when nothing is recorded (capped, filtered, bad id: counted where the JSON shows it).
   */
  decision(
    id: unknown,
    ofEntity: boolean,
    stage: unknown,
    action: unknown,
    meta: unknown,
    kind: string | undefined,
  ): EventRecord | undefined {
    let entityId: string | undefined;
    if (ofEntity) {
      entityId = this.#acceptedId(id);
      if (entityId === undefined) return undefined;
    }
    const max = this.#options.maxEvents;
    if (max !== 0 && this.#eventCount >= max) {
      this.draft.counters.droppedEvents++;
      return undefined;
    }
    let entityKind: string | undefined;
    if (entityId !== undefined) {
      // One look-up serves the cap and the kind (this runs for every decision).
      const known = this.draft.entities.get(entityId);
      if (known === undefined && !this.#hasRoomForEntity()) return undefined;
      entityKind = this.#kindOf(kind, known?.kind);
    }
    this.#eventCount++;
    const record = this.#newRecord(DECISION, stage, action, meta, entityId, entityKind);
    if (this.#options.errorActions?.has(record.action) === true) record.marksError = true;
    DECISION.show(record, this.draft);
    return record;
  }

  /**
   * A log (`log(category, message, meta?)`), kept in the draft; undefined past `maxEvents`, which
   * logs count toward as decisions do (counted in `dropped_events`). Category and message are cut
   * like a stage and an action, the meta sanitized and redacted like a decision's.
   */
  log(input: LogInput): EventRecord | undefined {
    const max = this.#options.maxEvents;
    if (max !== 0 && this.#eventCount >= max) {
      this.draft.counters.droppedEvents++;
      return undefined;
    }
    this.#eventCount++;
    const record = this.#newRecord(
      LOG,
      input.category,
      input.message,
      input.meta,
      undefined,
      undefined,
    );
    record.detail = new LogDetail(input.task, input.region);
    LOG.show(record, this.draft);
    return record;
  }

  /**
   * A `track` of entity `id`: its kind and meta go into the draft at once; the record returned is
   * the span event to write, or undefined past the cap of track writes (counted).
   */
  track(id: unknown, meta: unknown, kind: unknown): EventRecord | undefined {
    const entityId = this.#acceptedId(id);
    if (entityId === undefined) return undefined;
    const known = this.draft.entities.get(entityId);
    if (known === undefined && !this.#hasRoomForEntity()) return undefined;
    const entityKind = this.#kindOf(kind, known?.kind);
    const record = this.#newRecord(TRACK, 'track', 'track', meta, entityId, entityKind);
    TRACK.show(record, this.draft);
    const { maxEvents, maxEntities } = this.#options;
    // A track writes a span event too; cap those writes like events so a loop cannot grow a span.
    if (maxEvents !== 0 && this.#trackWrites >= Math.max(maxEvents, maxEntities)) {
      this.draft.counters.droppedSpanEvents++;
      return undefined;
    }
    this.#trackWrites++;
    return record;
  }

  /**
   * The attribute of `addTag(key, value)` as this request's options shape meta: the key cut to
   * `maxStringLength` after it was judged whole by the redactor, the value redacted, sanitized
   * and encoded as a meta value is. Undefined for a key that is no non-empty string (counted in
   * `invalid_calls`) or an undefined value.
   */
  tag(key: unknown, value: unknown): [string, AttributeValue] | undefined {
    if (typeof key !== 'string' || key === '') {
      this.draft.counters.invalidCalls++;
      return undefined;
    }
    const o = this.#options;
    const name = labelOf(key, o.maxStringLength);
    if (o.redactor.redacts(key)) return [name, REDACTED];
    const sanitized = sanitizeValue(value, o.maxStringLength, o.redactor, this.#onCap);
    return sanitized === undefined ? undefined : [name, attributeValue(sanitized)];
  }

  /**
   * A state access, kept in the draft; undefined past `maxStateAccesses` (counted). The variable
   * is cut like a label; the values are sanitized like meta, and redacted when the variable's
   * last path segment is a redacted key (`user.password`).
   */
  state(
    input: StateInput,
    traceId: string,
    span: Span | undefined,
    owner: RaceOwner,
  ): EventRecord | undefined {
    const o = this.#options;
    if (this.draft.state.length >= o.maxStateAccesses) {
      this.draft.counters.droppedState++;
      return undefined;
    }
    const max = o.maxStringLength;
    const variable = labelOf(input.variable, max);
    const redacted = this.#redactsVariable(variable);
    const perf = o.clock === undefined ? performance.now() : Number.NaN;
    const record = new EventRecord(
      STATE,
      'state',
      input.access,
      o.clock === undefined ? perf + this.#epochOffset : this.now(),
      perf,
      undefined,
      undefined,
      undefined,
      registry.seq++,
    );
    record.detail = new StateDetail(
      variable,
      input.access,
      this.#stateValue(input.value, redacted),
      input.access === 'read' ? undefined : this.#stateValue(input.oldValue, redacted),
      traceId,
      input.taskId,
      input.locks,
      input.location,
      input.task,
      span,
      owner,
    );
    STATE.show(record, this.draft);
    return record;
  }

  /**
   * Whether a variable's values are redacted (its last path segment is a redacted key). The last
   * verdict is kept: accesses come in runs on one variable.
   */
  #redactsVariable(variable: string): boolean {
    if (variable !== this.#lastVariable) {
      this.#lastVariable = variable;
      this.#lastRedacted = this.#options.redactor.redacts(lastSegment(variable));
    }
    return this.#lastRedacted;
  }

  /** A state value as stored: sanitized like meta, or REDACTED. */
  #stateValue(value: unknown, redacted: boolean): MetaValue | undefined {
    if (value === undefined) return undefined;
    if (redacted) return REDACTED;
    const o = this.#options;
    return sanitizeValue(value, o.maxStringLength, o.redactor, this.#onCap);
  }

  /** A race this request took part in, shown in the draft once; the record is its span event. */
  race(race: Race): EventRecord {
    const perf = this.#options.clock === undefined ? performance.now() : Number.NaN;
    const time = Number.isNaN(perf) ? this.now() : perf + this.#epochOffset;
    const record = raceRecord(race, time, perf, registry.seq++);
    RACE.show(record, this.draft);
    return record;
  }

  /** Whether state accesses record their source location (`stateLocations`). */
  get stateLocations(): boolean {
    return this.#options.stateLocations;
  }

  /** Counts span events no span could take (the JSON keeps their records). */
  countUnwritten(n: number): void {
    this.draft.counters.droppedSpanEvents += n;
  }

  #newRecord(
    recordKind: RecordKind,
    stage: unknown,
    action: unknown,
    meta: unknown,
    entityId: string | undefined,
    entityKind: string | undefined,
  ): EventRecord {
    const o = this.#options;
    const max = o.maxStringLength;
    // One clock reading per record: the span event takes `perf`, the JSON its epoch form.
    const perf = o.clock === undefined ? performance.now() : Number.NaN;
    return new EventRecord(
      recordKind,
      stage instanceof CallerStage ? callerName(stage.api) : labelOf(stage, max),
      labelOf(action, max),
      o.clock === undefined ? perf + this.#epochOffset : this.now(),
      perf,
      sanitizeMeta(meta, max, o.redactor, this.#onCap),
      entityId,
      entityKind,
      registry.seq++,
    );
  }

  /** The entity id a call is recorded under, or undefined when invalid (counted) or filtered out. */
  #acceptedId(id: unknown): string | undefined {
    const entityId = entityIdOf(id, this.#options.maxStringLength);
    if (entityId === undefined) {
      this.draft.counters.invalidCalls++;
      return undefined;
    }
    const filter = this.#options.entityFilter;
    if (filter === undefined) return entityId;
    try {
      const verdict = filter(entityId);
      if (verdict !== true) catchRejection('options.entityFilter', verdict);
      return verdict === true ? entityId : undefined;
    } catch (error) {
      reportInternalError('options.entityFilter', error);
      return undefined;
    }
  }

  /** Whether a new entity may be created under the `maxEntities` cap (counted when not). */
  #hasRoomForEntity(): boolean {
    if (this.draft.entities.size < this.#options.maxEntities) return true;
    this.draft.counters.droppedEntities++;
    return false;
  }

  /** The entity's kind after this call: a given kind replaces the known one. */
  #kindOf(kind: unknown, known: string | undefined): string | undefined {
    if (kind !== undefined && kind !== null) return labelOf(kind, this.#options.maxStringLength);
    return known;
  }
}
