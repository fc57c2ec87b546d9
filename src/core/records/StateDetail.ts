import type { Span } from '@opentelemetry/api';
import type { MetaValue, Race, StateAccess, StateAccessKind } from '../../types.js';
import { isoTimestamp } from '../isoTimestamp.js';
import { cloneMeta } from '../sanitize.js';

/** Where a live state access may report a race it took part in: its request's session. */
export interface RaceOwner {
  /** Adds `race` to the request's JSON and as a span event on `span` (ignored once emitted). */
  addRace(race: Race, span: Span | undefined): void;
}

/** Text formatted only when read (a captured stack: V8 formats it on first use). */
export interface LazyText {
  toString(): string;
}

/** Longest `location` kept; a longer one is cut (a path can be long, never a whole stack). */
const MAX_LOCATION = 512;

/**
 * What a state record (`state.ts`) holds beyond the generic record: the access itself and, live
 * only, what a `RaceDetector` needs to order it and to report a race (its task, span, session).
 * The task is the concurrency engine's, opaque to the core.
 */
export class StateDetail {
  /** The previous access of the variable and whether it happens before this one (a detector sets it). */
  previous: { seq: number; happens_before: boolean } | undefined = undefined;
  #location: LazyText | string | undefined;

  constructor(
    readonly variable: string,
    readonly access: StateAccessKind,
    readonly value: MetaValue | undefined,
    readonly oldValue: MetaValue | undefined,
    /** Empty in a record read back from a backend: the trace it is shown in is its trace. */
    readonly traceId: string,
    readonly taskId: string,
    readonly locks: readonly string[] | undefined,
    location: LazyText | string | undefined,
    public task: unknown = undefined,
    public span: Span | undefined = undefined,
    public owner: RaceOwner | undefined = undefined,
  ) {
    this.#location = location;
  }

  /** Lets go of the live references (task, span, session) once the trace is finished. */
  forget(): void {
    this.task = undefined;
    this.span = undefined;
    this.owner = undefined;
  }

  /** The source location as text, formatted once, on first read. */
  get location(): string | undefined {
    const l = this.#location;
    if (l === undefined || typeof l === 'string') return l;
    let text: string | undefined;
    try {
      text = String(l);
    } catch {
      text = undefined;
    }
    if (text === '') text = undefined;
    if (text !== undefined && text.length > MAX_LOCATION) text = text.slice(0, MAX_LOCATION);
    this.#location = text;
    return text;
  }
}

/** The JSON of a state access (`Trace.state`, `Race.accesses`). */
export function stateAccessOf(
  detail: StateDetail,
  time: number,
  seq: number,
  spanId: string | undefined,
  traceId: string,
  service?: string,
): StateAccess {
  const out: StateAccess = {
    variable: detail.variable,
    access: detail.access,
    trace_id: detail.traceId === '' ? traceId : detail.traceId,
    task_id: detail.taskId,
    timestamp: isoTimestamp(time),
    seq,
  };
  if (detail.value !== undefined) out.value = detail.value;
  if (detail.oldValue !== undefined) out.old_value = detail.oldValue;
  if (spanId !== undefined) out.span_id = spanId;
  const location = detail.location;
  if (location !== undefined) out.location = location;
  if (detail.locks !== undefined && detail.locks.length > 0) out.locks = [...detail.locks];
  if (detail.previous !== undefined) out.previous = { ...detail.previous };
  if (service !== undefined) out.service = service;
  return out;
}

/** A copy of a state access that shares nothing with it. */
export function copyStateAccess(a: StateAccess): StateAccess {
  const out: StateAccess = { ...a };
  if (a.value !== undefined) out.value = cloneMeta(a.value);
  if (a.old_value !== undefined) out.old_value = cloneMeta(a.old_value);
  if (a.locks !== undefined) out.locks = [...a.locks];
  if (a.previous !== undefined) out.previous = { ...a.previous };
  return out;
}

/** A copy of a race that shares nothing with it. */
export function copyRace(race: Race): Race {
  return { kind: race.kind, variable: race.variable, accesses: race.accesses.map(copyStateAccess) };
}

/** Identifies a race across the span events it was written as (one per access's span). */
export function raceKey(race: Race): string {
  return `${race.kind}\u0000${race.variable}\u0000${race.accesses.map((a) => `${a.trace_id}/${a.seq}`).join(',')}`;
}
