import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { optionsObject, warnLikelyTypos } from '../core/checkOptions.js';
import type { Trace } from '../types.js';
import { FILE_OPTION_NAMES, readFileOptions } from './fileOptions.js';
import type { TraceSink } from './TraceSink.js';

/** Options of `FileSink`. */
export interface FileSinkOptions {
  /** The JSON Lines file traces are appended to (created if missing). */
  path: string;
  /**
   * Rotate before a write would take the file past this size: `path` becomes `path.1`, `path.1`
   * becomes `path.2`, and so on. Off by default (the file grows).
   */
  maxBytes?: number;
  /** Rotated files kept beside `path` (`path.1` … `path.<maxFiles>`); older ones are deleted. Default 5. */
  maxFiles?: number;
  /** Bytes waiting for the disk past which traces are dropped and counted. Default 16 MiB. */
  maxBufferedBytes?: number;
  /** A tail rule: only the traces it returns true for are written (see `keepWhen`). */
  keep?: (trace: Trace) => boolean;
}

/**
 * Appends each trace as one JSON line to a file, off the caller's stack, with size rotation.
 * One writer writes the queue in order and rotates only between two lines, so no line is split
 * or lost at rotation; a line larger than `maxBytes` gets a file of its own. `shutdown` writes
 * everything queued before it closes. When more than `maxBufferedBytes` wait for the disk,
 * further traces are dropped and counted in `dropped`, so a slow disk cannot grow memory without
 * bound; a write that fails counts its lines in `dropped`, rejects the next `forceFlush`, and the
 * next line tries the file again. One process per file: two writers would rotate each other's.
 * @example new StepmarkSpanProcessor({ sinks: [new FileSink({ path: 'traces.jsonl', maxBytes: 10_000_000, maxFiles: 3 })] })
 */
export class FileSink implements TraceSink {
  readonly #path: string;
  readonly #maxBytes: number | undefined;
  readonly #maxFiles: number;
  readonly #maxBuffered: number;
  readonly keep: ((trace: Trace) => boolean) | undefined;
  /** Lines waiting for the writer, each with its UTF-8 size (measured once, at `export`). */
  #queue: Array<{ line: string; bytes: number }> = [];
  #queuedBytes = 0;
  /** The writer's run while it has lines to write. */
  #writing: Promise<void> | undefined;
  #file: { handle: FileHandle; size: number } | undefined;
  #dropped = 0;
  #rotations = 0;
  #failed: Error | undefined;
  #closed = false;

  /** Throws a TypeError or RangeError for a wrong option. */
  constructor(options: FileSinkOptions) {
    const o = optionsObject<Record<string, unknown>>('FileSink', options) ?? {};
    warnLikelyTypos('FileSink', o, FILE_OPTION_NAMES);
    const file = readFileOptions('FileSink', o);
    this.#path = file.path;
    this.#maxBytes = file.maxBytes;
    this.#maxFiles = file.maxFiles;
    this.#maxBuffered = file.maxBufferedBytes;
    this.keep = file.keep;
  }

  /** Traces dropped: too much was waiting for the disk, a write failed, or after `shutdown`. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Times the file was rotated. */
  get rotations(): number {
    return this.#rotations;
  }

  /** Queues the trace for writing. */
  export(trace: Trace): void {
    this.appendLine(JSON.stringify(trace));
  }

  /**
   * Queues one line of text (without its newline) in the same ordered writer, for sinks that
   * format their own lines (`AuditSink`). Returns false when it was dropped and counted.
   * @example sink.appendLine(JSON.stringify({ note: 'restarted' }))
   */
  appendLine(text: string): boolean {
    const line = `${text}\n`;
    const bytes = Buffer.byteLength(line);
    // An empty queue takes any line: one trace larger than the bound is still written.
    if (this.#closed || (this.#queuedBytes > 0 && this.#queuedBytes + bytes > this.#maxBuffered)) {
      this.#dropped++;
      return false;
    }
    this.#queue.push({ line, bytes });
    this.#queuedBytes += bytes;
    this.#writing ??= this.#write();
    return true;
  }

  /** Resolves when everything queued has reached the file; rejects once if a write failed. */
  async forceFlush(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing;
    const failed = this.#failed;
    this.#failed = undefined;
    if (failed !== undefined) throw failed;
  }

  /** Writes what is queued and closes the file; later traces are dropped and counted. */
  async shutdown(): Promise<void> {
    this.#closed = true;
    try {
      await this.forceFlush();
    } finally {
      const file = this.#file;
      this.#file = undefined;
      await file?.handle.close();
    }
  }

  /** The one writer: writes the queue in order, in batches, until it is empty. */
  async #write(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#takeBatch();
        try {
          const file = await this.#fileFor(batch.first);
          await file.handle.appendFile(batch.text);
          file.size += batch.bytes;
        } catch (error) {
          this.#dropped += batch.lines;
          this.#failed = error instanceof Error ? error : new Error(String(error));
          await this.#closeAfterFailure();
        }
      }
    } finally {
      this.#writing = undefined;
    }
  }

  /** Lines from the queue that fit in the current file together (all of them without rotation). */
  #takeBatch(): { text: string; bytes: number; lines: number; first: number } {
    let take = this.#queue.length;
    if (this.#maxBytes !== undefined) {
      let room = this.#maxBytes - (this.#file?.size ?? 0);
      take = 0;
      for (const { bytes } of this.#queue) {
        if (take > 0 && bytes > room) break;
        room -= bytes;
        take++;
      }
    }
    const taken = this.#queue.splice(0, take);
    let bytes = 0;
    for (const entry of taken) bytes += entry.bytes;
    this.#queuedBytes -= bytes;
    const first = taken[0]?.bytes ?? 0;
    return { text: taken.map((entry) => entry.line).join(''), bytes, lines: taken.length, first };
  }

  /** The open file, rotated first when `nextLine` bytes would take a non-empty one past `maxBytes`. */
  async #fileFor(nextLine: number): Promise<{ handle: FileHandle; size: number }> {
    let file = this.#file ?? (await this.#open());
    if (this.#maxBytes !== undefined && file.size > 0 && file.size + nextLine > this.#maxBytes) {
      this.#file = undefined;
      await file.handle.close();
      await this.#rotate();
      file = await this.#open();
    }
    return file;
  }

  async #open(): Promise<{ handle: FileHandle; size: number }> {
    const handle = await open(this.#path, 'a');
    const { size } = await handle.stat();
    this.#file = { handle, size };
    return this.#file;
  }

  /** `path.<n-1>` → `path.<n>` down to `path` → `path.1`; the oldest beyond `maxFiles` is deleted. */
  async #rotate(): Promise<void> {
    await rm(`${this.#path}.${this.#maxFiles}`, { force: true });
    for (let n = this.#maxFiles - 1; n >= 1; n--) {
      await rename(`${this.#path}.${n}`, `${this.#path}.${n + 1}`).catch(ignoreMissing);
    }
    await rename(this.#path, `${this.#path}.1`);
    this.#rotations++;
  }

  async #closeAfterFailure(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    await file?.handle.close().catch(() => undefined);
  }
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}
