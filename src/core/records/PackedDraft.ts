import type { EntityTrace, Meta, Race, StateAccess, Trace, TraceEvent } from '../../types.js';
import type { Redactor } from '../redaction/Redactor.js';
import { cloneMeta, setKey } from '../sanitize.js';
import type { EventRecord } from './EventRecord.js';
import { logEntryOf } from './LogDetail.js';
import { copyRace, copyStateAccess, stateAccessOf, type StateDetail } from './StateDetail.js';
import { showCounters, traceEvent, type DraftCounters, type TraceDraft } from './TraceDraft.js';

/** Cells per entity in `PackedDraft.#entities`: id, kind, meta, number of events. */
const ENTITY_CELLS = 4;
/** Cells per event in `PackedDraft.#events`: stage, action, meta, span id. */
const EVENT_CELLS = 4;

/**
 * The draft of a finished trace kept for `collect`/`recent`, packed into a few flat arrays: a
 * hundred traces are held for a long while, and every object they hold is copied by each
 * young-generation GC until it is promoted, then marked by every full one. Records (an object
 * and two boxed numbers each), entity objects and the Map go; strings and meta objects are the
 * draft's own, shared. `toTrace` gives the JSON the draft would give.
 */
export class PackedDraft {
  readonly #meta: Meta | undefined;
  /** As `TraceDraft.redactor`. */
  readonly redactor: Redactor | undefined;
  readonly #counters: DraftCounters;
  readonly #entities: Array<string | Meta | number | undefined>;
  /** Entity events first, each entity's together and in order, then the request's. */
  readonly #events: Array<string | Meta | undefined>;
  readonly #times: Float64Array;
  /**
   * State accesses: the records (their live references dropped) until first read, then their
   * JSON; races: their JSON, shared with the draft (a race object is never changed).
   */
  #stateRecords: EventRecord[] | undefined;
  #state: StateAccess[] | undefined;
  readonly #traceId: string;
  readonly #races: Race[] | undefined;
  /** Logs: the records (a few per request, if any), their JSON made on each read. */
  readonly #logs: EventRecord[] | undefined;

  constructor(draft: TraceDraft, traceId: string) {
    this.#meta = draft.meta;
    this.redactor = draft.redactor;
    this.#counters = draft.counters;
    let count = draft.records.length;
    for (const entity of draft.entities.values()) count += entity.records.length;
    this.#entities = new Array<string | Meta | number | undefined>(
      draft.entities.size * ENTITY_CELLS,
    );
    this.#events = new Array<string | Meta | undefined>(count * EVENT_CELLS);
    this.#times = new Float64Array(count);
    let e = 0;
    let n = 0;
    const put = (records: TraceDraft['records']): void => {
      for (const r of records) {
        const at = n * EVENT_CELLS;
        this.#events[at] = r.stage;
        this.#events[at + 1] = r.action;
        this.#events[at + 2] = r.meta;
        this.#events[at + 3] = r.spanId;
        this.#times[n++] = r.time;
      }
    };
    for (const entity of draft.entities.values()) {
      this.#entities[e] = entity.id;
      this.#entities[e + 1] = entity.kind;
      this.#entities[e + 2] = entity.meta;
      this.#entities[e + 3] = entity.records.length;
      e += ENTITY_CELLS;
      put(entity.records);
    }
    put(draft.records);
    // Kept as records, their live references dropped; their JSON is made when first read.
    for (const r of draft.state) (r.detail as StateDetail).forget();
    this.#stateRecords = draft.state.length === 0 ? undefined : [...draft.state];
    this.#traceId = traceId;
    this.#races = draft.races.length === 0 ? undefined : [...draft.races];
    this.#logs = draft.logs.length === 0 ? undefined : [...draft.logs];
  }

  /** As `TraceDraft.toTrace`. */
  toTrace(traceId: string, copy: boolean): Trace {
    const trace: Trace = { trace_id: traceId };
    const meta = this.#meta;
    if (meta !== undefined) trace.meta = copy ? cloneMeta(meta) : meta;
    let n = 0;
    if (this.#entities.length > 0) {
      const entities: Record<string, EntityTrace> = {};
      for (let e = 0; e < this.#entities.length; e += ENTITY_CELLS) {
        const id = this.#entities[e] as string;
        const out = { entity_id: id } as EntityTrace;
        const kind = this.#entities[e + 1] as string | undefined;
        const entityMeta = this.#entities[e + 2] as Meta | undefined;
        if (kind !== undefined) out.kind = kind;
        if (entityMeta !== undefined) out.meta = copy ? cloneMeta(entityMeta) : entityMeta;
        const events = new Array<TraceEvent>(this.#entities[e + 3] as number);
        for (let i = 0; i < events.length; i++) events[i] = this.#event(n++, copy);
        out.events = events;
        setKey(entities, id, out);
      }
      trace.entities = entities;
    }
    const total = this.#times.length;
    if (n < total) {
      const events = new Array<TraceEvent>(total - n);
      for (let i = 0; n < total; i++) events[i] = this.#event(n++, copy);
      trace.events = events;
    }
    const state = this.#stateJson();
    if (state !== undefined) trace.state = copy ? state.map(copyStateAccess) : [...state];
    if (this.#races !== undefined)
      trace.races = copy ? this.#races.map(copyRace) : [...this.#races];
    if (this.#logs !== undefined) trace.logs = this.#logs.map((r) => logEntryOf(r, copy));
    showCounters(trace, this.#counters);
    return trace;
  }

  /** The state accesses as JSON, made on first read (then the records go). */
  #stateJson(): StateAccess[] | undefined {
    const records = this.#stateRecords;
    if (records !== undefined) {
      this.#state = records.map((r) =>
        stateAccessOf(r.detail as StateDetail, r.time, r.seq, r.spanId, this.#traceId),
      );
      this.#stateRecords = undefined;
    }
    return this.#state;
  }

  #event(n: number, copy: boolean): TraceEvent {
    const at = n * EVENT_CELLS;
    const cells = this.#events;
    return traceEvent(
      cells[at] as string,
      cells[at + 1] as string,
      this.#times[n] as number,
      cells[at + 2] as Meta | undefined,
      cells[at + 3] as string | undefined,
      undefined, // live drafts only: no service
      copy,
    );
  }
}
