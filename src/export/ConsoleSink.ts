import type { Writable } from 'node:stream';
import { optionsObject, typeError, warnLikelyTypos } from '../core/checkOptions.js';
import { styleFor, traceTimeline } from '../cli/timeline.js';
import type { Trace } from '../types.js';
import { keepOption } from './keepWhen.js';
import type { TraceSink } from './TraceSink.js';

/** How `ConsoleSink` writes a trace. */
export type ConsoleFormat = 'json' | 'pretty' | 'timeline';

/** Options of `ConsoleSink`. */
export interface ConsoleSinkOptions {
  /** Where to write; stdout by default. */
  stream?: Writable;
  /** 'json' (default): one line per trace; 'pretty': indented JSON; 'timeline': the CLI's view. */
  format?: ConsoleFormat;
  /** The older way to say `format: 'pretty'`. */
  pretty?: boolean;
  /**
   * Put before every line written, so that a log pipeline can pick the traces out (FlowTracker's
   * `FLOW_LOG:`). Default `STEPMARK_TRACE ` for 'json', none for the formats people read. At most
   * 64 characters, no line break.
   */
  prefix?: string;
  /** A tail rule: only the traces it returns true for are written (see `keepWhen`). */
  keep?: (trace: Trace) => boolean;
}

const FORMATS: readonly ConsoleFormat[] = ['json', 'pretty', 'timeline'];
const KNOWN = ['stream', 'format', 'pretty', 'prefix', 'keep'];
/** The default prefix of JSON lines: grep-able, and what a Loki/Promtail stage can match. */
export const DEFAULT_CONSOLE_PREFIX = 'STEPMARK_TRACE ';
const MAX_PREFIX = 64;

/**
 * Writes each trace to a stream (stdout by default): as one JSON line after a grep-able prefix
 * (`format: 'json'`, the default: `STEPMARK_TRACE {"trace_id":...}`), as indented JSON
 * (`'pretty'`), or as the timeline the CLI prints (`'timeline'`, for people: one line per
 * decision, coloured on a terminal unless NO_COLOR is set, control characters escaped).
 * Throws a TypeError for a wrong option.
 * @example new StepmarkSpanProcessor({ sinks: [new ConsoleSink({ format: 'timeline' })] })
 */
export class ConsoleSink implements TraceSink {
  readonly #stream: Writable;
  readonly #format: ConsoleFormat;
  readonly #prefix: string;
  readonly keep: ((trace: Trace) => boolean) | undefined;

  constructor(options: ConsoleSinkOptions = {}) {
    const o = optionsObject<Record<string, unknown>>('ConsoleSink', options) ?? {};
    warnLikelyTypos('ConsoleSink', o, KNOWN);
    const stream = o.stream ?? process.stdout;
    if (typeof (stream as Partial<Writable>).write !== 'function')
      throw typeError('ConsoleSink stream', 'a writable stream', stream);
    this.#stream = stream as Writable;
    const format = o.format ?? (o.pretty === true ? 'pretty' : 'json');
    if (!FORMATS.includes(format as ConsoleFormat))
      throw typeError('ConsoleSink format', "'json', 'pretty' or 'timeline'", format);
    this.#format = format as ConsoleFormat;
    const prefix = o.prefix ?? (this.#format === 'json' ? DEFAULT_CONSOLE_PREFIX : '');
    if (typeof prefix !== 'string' || prefix.length > MAX_PREFIX || /[\r\n]/.test(prefix))
      throw typeError(
        'ConsoleSink prefix',
        `a string of at most ${MAX_PREFIX} characters on one line`,
        prefix,
      );
    this.#prefix = prefix;
    this.keep = keepOption('ConsoleSink', o.keep);
  }

  /** Writes the trace. */
  export(trace: Trace): void {
    const text = this.#text(trace);
    const lines = this.#prefix === '' ? text : text.replace(/^/gm, this.#prefix);
    this.#stream.write(`${lines}\n`);
  }

  #text(trace: Trace): string {
    if (this.#format === 'json') return JSON.stringify(trace);
    if (this.#format === 'pretty') return JSON.stringify(trace, null, 2);
    const isTty = (this.#stream as { isTTY?: boolean }).isTTY === true;
    return traceTimeline(trace, styleFor(isTty, process.env));
  }
}
