import type { Span } from '@opentelemetry/api';
import type { DecisionWriter } from '../DecisionWriter.js';
import type { EventRecord } from '../records/EventRecord.js';
import type { TraceDraft } from '../records/TraceDraft.js';
import type { EmitListener } from './EmitListeners.js';

/** Sees each record of a session as it is made (an analyzer of a processor holding the trace). */
export type RecordObserver = (record: EventRecord, traceId: string) => void;

/**
 * What a processor (of this copy of the package or another one of the same protocol, see
 * `PROTOCOL` in registry.ts) needs of a session: all it calls, and nothing it probes.
 */
export interface SessionHandle {
  /** The trace this session records, once a recording span was seen. */
  readonly traceId: string | undefined;
  /** No more calls record. */
  readonly closed: boolean;
  /**
   * Opened only because a capture runs (see `Session.capturedOnly`): a trace whose sessions all
   * are goes to the captures alone, not to the sinks.
   */
  readonly capturedOnly: boolean;
  /** Other requests (local roots of the same trace) joined this session. */
  readonly shared: boolean;
  /** The records so far, as the JSON under construction. */
  readonly draft: TraceDraft;
  /** Ties the session to a trace (see `Session.bind`). */
  bind(traceId: string, activeSpan?: Span): void;
  /** The session of another trace started in this session's context, if it may have one. */
  fork(traceId: string, span: Span | undefined): SessionHandle | undefined;
  /** Writes the records of `span` as span events while it ends. */
  flushSpan(span: Span, writer: DecisionWriter, isRoot: boolean): void;
  /** A processor holds this session's trace and will emit it. */
  markHeld(): void;
  /** Calls `observer` with each later record (an analyzer). */
  observe(observer: RecordObserver): void;
  /** Closes the session and forgets its trace binding: the processor is done with it. */
  release(expired?: boolean): void;
  /** Whether a listener waits for the emitted trace (an HTTP adapter's `onFinish` or header). */
  readonly hasEmitListeners: boolean;
  /** Marks the trace emitted and hands over the listeners waiting for it. */
  takeEmitListeners(): readonly EmitListener[];
  /** Lets go of every record (the processor holds the draft now). */
  detach(): void;
}
