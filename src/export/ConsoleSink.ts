import type { Writable } from 'node:stream';
import type { Trace } from '../types.js';
import type { TraceSink } from './TraceSink.js';

/**
 * Writes each trace as JSON to a stream (stdout by default): one line each, or indented with
 * `pretty: true`.
 * @example new StepmarkSpanProcessor({ sinks: [new ConsoleSink({ pretty: true })] })
 */
export class ConsoleSink implements TraceSink {
  readonly #stream: Writable;
  readonly #pretty: boolean;

  constructor(options: { stream?: Writable; pretty?: boolean } = {}) {
    this.#stream = options.stream ?? process.stdout;
    this.#pretty = options.pretty === true;
  }

  /** Writes the trace. */
  export(trace: Trace): void {
    this.#stream.write(`${JSON.stringify(trace, null, this.#pretty ? 2 : undefined)}\n`);
  }
}
