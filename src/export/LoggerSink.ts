import { describeValue, optionsObject, typeError, warnLikelyTypos } from '../core/checkOptions.js';
import type { Trace } from '../types.js';
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
  /** A tail rule: only the traces it returns true for are logged (see `keepWhen`). */
  keep?: (trace: Trace) => boolean;
}

const KNOWN = ['logger', 'level', 'keep'];

/** How many decisions a trace holds, for the log line's message. */
function decisionCount(trace: Trace): number {
  let count = Array.isArray(trace.events) ? trace.events.length : 0;
  for (const id in trace.entities ?? {}) count += trace.entities?.[id]?.events?.length ?? 0;
  return count;
}

/**
 * Logs each trace as one structured line through a pino-compatible logger:
 * `logger[level]({ trace_id, trace }, 'stepmark trace: 2 entities, 5 decisions')`, so that a
 * team that lives in its logs finds the trace by `trace_id` beside the request's other lines.
 * Throws a TypeError where it is made when `logger[level]` is not a function.
 * @example new StepmarkSpanProcessor({ sinks: [new LoggerSink({ logger: pino() })] })
 */
export class LoggerSink implements TraceSink {
  readonly #logger: Record<string, unknown>;
  readonly #level: string;
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
    this.#logger = o.logger as Record<string, unknown>;
    this.#level = level;
    this.keep = keepOption('LoggerSink', o.keep);
  }

  /** Logs the trace. */
  export(trace: Trace): void {
    const entities = Object.keys(trace.entities ?? {}).length;
    const message = `stepmark trace: ${entities} entities, ${decisionCount(trace)} decisions`;
    const log = this.#logger[this.#level] as (object: object, message: string) => void;
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
