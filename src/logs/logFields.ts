import { context, trace } from '@opentelemetry/api';
import { enabled } from '../core/enable.js';
import { reportInternalError } from '../core/registry.js';

/**
 * The log fields of the active context: its trace, its span and, in a request stepmark records,
 * `stepmark: true`. Named as `@opentelemetry/instrumentation-pino` names them, so that with both
 * on a pino line holds each field once (with the same value).
 */
export interface LogFields {
  trace_id?: string;
  span_id?: string;
  /** The W3C trace flags as two hex digits (`01`: sampled). */
  trace_flags?: string;
  /** Present (true) when stepmark records in this context: the line belongs to a traced request. */
  stepmark?: true;
}

/**
 * The trace context of the active span as log fields, `{}` outside one: add them to each log
 * line so that a line of a traced request can be found from its decisions and back.
 * @example logger.info({ ...stepmark.logFields(), order_id }, 'order priced')
 */
export function logFields(): LogFields {
  try {
    const span = trace.getSpan(context.active());
    if (span === undefined) return {};
    const sc = span.spanContext();
    if (!trace.isSpanContextValid(sc)) return {};
    const fields: LogFields = {
      trace_id: sc.traceId,
      span_id: sc.spanId,
      trace_flags: `0${sc.traceFlags.toString(16)}`.slice(-2),
    };
    if (enabled()) fields.stepmark = true;
    return fields;
  } catch (error) {
    reportInternalError('logFields', error);
    return {};
  }
}

/**
 * pino's `mixin` option: every line logged in a traced context carries `logFields()`.
 * @example const logger = pino({ mixin: stepmark.pinoMixin() })
 */
export function pinoMixin(): () => LogFields {
  return logFields;
}

/** What winston's `format.combine` takes: an object with `transform(info)`. */
export interface WinstonFormatLike {
  transform<T extends object>(info: T): T;
}

/**
 * A winston format that adds `logFields()` to each line (fields the line already has are kept).
 * @example winston.createLogger({ format: winston.format.combine(stepmark.winstonFormat(), winston.format.json()) })
 */
export function winstonFormat(): WinstonFormatLike {
  return {
    transform<T extends object>(info: T): T {
      const fields = logFields() as Record<string, unknown>;
      const line = info as Record<string, unknown>;
      for (const key of Object.keys(fields)) {
        if (!(key in line)) line[key] = fields[key];
      }
      return info;
    },
  };
}
