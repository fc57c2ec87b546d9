import type { Attributes } from '@opentelemetry/api';
import type { Trace } from '../../types.js';
import type { EventRecord } from './EventRecord.js';
import type { TraceDraft } from './TraceDraft.js';

/** A span event as read back from a backend (OTLP JSON), attributes decoded to plain values. */
export interface StoredSpanEvent {
  name: string;
  attributes: Readonly<Record<string, unknown>>;
  /** Epoch milliseconds. */
  time: number;
}

/**
 * One kind of record (a decision, a track, ...): everything the library knows about it, in one
 * place, so that the writer, the backend reader and the merge cannot drift apart. Registered in
 * `recordKinds.ts`.
 * @example const kind: RecordKind = DECISION; span.addEvent(kind.eventName(r), kind.encode(r));
 */
export interface RecordKind {
  /** A short name, unique among kinds ('decision', 'track'). */
  readonly name: string;
  /** Whether records of this kind count toward `maxEvents` (and are capped by it). */
  readonly countsAsEvent: boolean;
  /** The span event name a record is written under. */
  eventName(record: EventRecord): string;
  /** The span event attributes of a record (names of SPEC.md). */
  encode(record: EventRecord): Attributes;
  /**
   * The record a stored span event holds, or undefined when the event is not of this kind.
   * `seq` (recording order) is read by the caller; the record gets `time` and no `perf`.
   */
  decode(event: StoredSpanEvent, seq: number): EventRecord | undefined;
  /** Adds the record to the JSON under construction (live, and when rebuilt from a backend). */
  show(record: EventRecord, draft: TraceDraft): void;
  /** Merges the parts of `from` this kind owns into `into` (traces of one id from several sessions or services). */
  merge(into: Trace, from: Trace): void;
  /** Completes a merge (e.g. orders what `merge` appended); called once after every `merge`. */
  finishMerge?(into: Trace): void;
}
