import { describeValue, optionsObject, typeError, warnLikelyTypos } from '../core/checkOptions.js';
import type { Trace, TraceEvent } from '../types.js';
import { keepOption } from './keepWhen.js';
import type { TraceSink } from './TraceSink.js';

/**
 * A pino logger, or any logger with pino's call shape: `logger[level](object, message)`, and
 * optionally `flush(callback)`. Typed loosely so that pino's own types need no import.
 */
export type PinoLikeLogger = object;

/** Options of `LoggerSink`. */
export interface LoggerSinkOptions {
  /** A pino-compatible logger: `logger[level](object, message)`. */
  logger: PinoLikeLogger;
  /** The method called; default 'info'. */
  level?: string;
  /**
   * `'trace'` (default): one line per trace. `'decision'`: one line per decision, in time order,
   * each with `trace_id`, `span_id` and `stepmark: true` (the fields of `logFields()`), so that
   * the decisions sit beside the request's other log lines.
   */
  each?: 'trace' | 'decision';
  /** A tail rule: only the traces it returns true for are logged (see `keepWhen`). */
  keep?: (trace: Trace) => boolean;
}

const KNOWN = ['logger', 'level', 'each', 'keep'];

/** How many decisions a trace holds, for the log line's message. */
function decisionCount(trace: Trace): number {
  let count = Array.isArray(trace.events) ? trace.events.length : 0;
  for (const id in trace.entities ?? {}) count += trace.entities?.[id]?.events?.length ?? 0;
  return count;
}

/** A decision and the entity it was about (none for `record()`'s request-level decisions). */
interface Decision {
  entity: string | undefined;
  event: TraceEvent;
}

/** Every decision of the trace, in time order (recording order among equal times). */
function decisionsOf(trace: Trace): Decision[] {
  const all: Decision[] = (trace.events ?? []).map((event) => ({ entity: undefined, event }));
  for (const [entity, history] of Object.entries(trace.entities ?? {}))
    for (const event of history?.events ?? []) all.push({ entity, event });
  // Array.prototype.sort is stable: equal timestamps keep the order above.
  return all.sort((a, b) =>
    a.event.timestamp < b.event.timestamp ? -1 : a.event.timestamp > b.event.timestamp ? 1 : 0,
  );
}

/**
 * Logs each trace as one structured line through a pino-compatible logger:
 * `logger[level]({ trace_id, trace }, 'stepmark trace: 2 entities, 5 decisions')`, so that a
 * team that lives in its logs finds the trace by `trace_id` beside the request's other lines.
 * With `each: 'decision'`, one line per decision instead:
 * `logger[level]({ trace_id, span_id, stepmark: true, entity_id, stage, action, meta, decided_at },
 * 'order_42: fraud_check cleared')`, written when the trace finishes (off the request's path).
 * Throws a TypeError where it is made when `logger[level]` is not a function or `each` is wrong.
 * @example new StepmarkSpanProcessor({ sinks: [new LoggerSink({ logger: pino(), each: 'decision' })] })
 */
export class LoggerSink implements TraceSink {
  readonly #logger: Record<string, unknown>;
  readonly #level: string;
  readonly #each: 'trace' | 'decision';
  readonly keep: ((trace: Trace) => boolean) | undefined;

  constructor(options: LoggerSinkOptions) {
    const o = optionsObject<Record<string, unknown>>('LoggerSink', options);
    if (o === undefined || o.logger === null || typeof o.logger !== 'object')
      throw typeError('LoggerSink logger', 'a logger such as pino()', o?.logger);
    warnLikelyTypos('LoggerSink', o, KNOWN);
    const level = o.level ?? 'info';
    if (
      typeof level !== 'string' ||
      typeof (o.logger as Record<string, unknown>)[level] !== 'function'
    )
      throw typeError(
        'LoggerSink level',
        'the name of a method of the logger',
        level,
        `logger[${describeValue(level)}] is not a function`,
      );
    const each = o.each ?? 'trace';
    if (each !== 'trace' && each !== 'decision')
      throw typeError('LoggerSink each', "'trace' or 'decision'", each);
    this.#logger = o.logger as Record<string, unknown>;
    this.#level = level;
    this.#each = each;
    this.keep = keepOption('LoggerSink', o.keep);
  }

  /** Logs the trace, or each of its decisions. */
  export(trace: Trace): void {
    const log = this.#logger[this.#level] as (object: object, message: string) => void;
    if (this.#each === 'decision') {
      for (const { entity, event } of decisionsOf(trace)) {
        const fields = {
          trace_id: trace.trace_id,
          ...(event.span_id !== undefined ? { span_id: event.span_id } : {}),
          stepmark: true,
          ...(entity !== undefined ? { entity_id: entity } : {}),
          stage: event.stage,
          action: event.action,
          ...(event.meta !== undefined ? { meta: event.meta } : {}),
          decided_at: event.timestamp,
        };
        const about = entity !== undefined ? `${entity}: ` : '';
        log.call(this.#logger, fields, `${about}${event.stage} ${event.action}`);
      }
      return;
    }
    const entities = Object.keys(trace.entities ?? {}).length;
    const message = `stepmark trace: ${entities} entities, ${decisionCount(trace)} decisions`;
    log.call(this.#logger, { trace_id: trace.trace_id, trace }, message);
  }

  /** Flushes the logger when it can (pino's `flush(callback)`). */
  async forceFlush(): Promise<void> {
    const flush = this.#logger.flush;
    if (typeof flush !== 'function') return;
    await new Promise<void>((resolve, reject) => {
      (flush as (cb: (error?: Error) => void) => void).call(this.#logger, (error) =>
        error ? reject(error) : resolve(),
      );
    });
  }
}
