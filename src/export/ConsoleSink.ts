import type { Writable } from 'node:stream';
import { styleFor, traceTimeline } from '../cli/timeline.js';
import type { Trace } from '../types.js';
import type { TraceSink } from './TraceSink.js';

/** How `ConsoleSink` writes a trace. */
export type ConsoleFormat = 'json' | 'pretty' | 'timeline';

const FORMATS: readonly ConsoleFormat[] = ['json', 'pretty', 'timeline'];

/**
 * Writes each trace to a stream (stdout by default): as one JSON line (`format: 'json'`, the
 * default), as indented JSON (`'pretty'`, or the older `pretty: true`), or as the timeline the CLI
 * prints (`'timeline'`, for people: one line per decision, coloured on a terminal unless
 * NO_COLOR is set, control characters escaped).
 * @example new StepmarkSpanProcessor({ sinks: [new ConsoleSink({ format: 'timeline' })] })
 */
export class ConsoleSink implements TraceSink {
  readonly #stream: Writable;
  readonly #format: ConsoleFormat;

  /** Throws a TypeError for a `format` that is none of 'json', 'pretty', 'timeline'. */
  constructor(options: { stream?: Writable; pretty?: boolean; format?: ConsoleFormat } = {}) {
    this.#stream = options.stream ?? process.stdout;
    const format = options.format ?? (options.pretty === true ? 'pretty' : 'json');
    if (!FORMATS.includes(format)) {
      throw new TypeError(
        `stepmark-otel: ConsoleSink format must be 'json', 'pretty' or 'timeline', got ${String(format)}`,
      );
    }
    this.#format = format;
  }

  /** Writes the trace. */
  export(trace: Trace): void {
    this.#stream.write(`${this.#text(trace)}\n`);
  }

  #text(trace: Trace): string {
    if (this.#format === 'json') return JSON.stringify(trace);
    if (this.#format === 'pretty') return JSON.stringify(trace, null, 2);
    const isTty = (this.#stream as { isTTY?: boolean }).isTTY === true;
    return traceTimeline(trace, styleFor(isTty, process.env));
  }
}
