import { createWriteStream, type WriteStream } from 'node:fs';
import type { Trace } from '../types.js';
import type { TraceSink } from './TraceSink.js';

/**
 * Appends each trace as one JSON line to a file. Writes are asynchronous; when more than
 * `maxBufferedBytes` (default 16 MiB) are waiting for the disk, further traces are dropped and
 * counted in `dropped`, so a slow disk cannot grow memory without bound.
 * @example new StepmarkSpanProcessor({ sinks: [new FileSink({ path: 'traces.jsonl' })] })
 */
export class FileSink implements TraceSink {
  readonly #path: string;
  readonly #maxBuffered: number;
  #stream: WriteStream | undefined;
  #dropped = 0;
  #failed: Error | undefined;

  constructor(options: { path: string; maxBufferedBytes?: number }) {
    this.#path = options.path;
    this.#maxBuffered = options.maxBufferedBytes ?? 16 * 1024 * 1024;
  }

  /** Traces dropped because too much was buffered, or because the file could not be written. */
  get dropped(): number {
    return this.#dropped;
  }

  #open(): WriteStream {
    if (this.#stream === undefined) {
      this.#stream = createWriteStream(this.#path, { flags: 'a' });
      this.#stream.on('error', (error) => {
        this.#failed = error;
      });
    }
    return this.#stream;
  }

  /** Queues the trace for writing. */
  export(trace: Trace): void {
    const stream = this.#open();
    if (this.#failed !== undefined || stream.writableLength > this.#maxBuffered) {
      this.#dropped++;
      return;
    }
    stream.write(`${JSON.stringify(trace)}\n`);
  }

  /** Resolves when everything queued has reached the file; rejects if the file failed. */
  async forceFlush(): Promise<void> {
    const stream = this.#stream;
    if (stream === undefined) return;
    if (this.#failed) throw this.#failed;
    if (stream.writableLength === 0 && !stream.pending) return;
    await new Promise<void>((resolve, reject) => {
      stream.write('', (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Flushes and closes the file. */
  async shutdown(): Promise<void> {
    const stream = this.#stream;
    if (stream === undefined) return;
    this.#stream = undefined;
    await new Promise<void>((resolve) => stream.end(resolve));
    if (this.#failed) throw this.#failed;
  }
}
