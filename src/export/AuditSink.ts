import { appendFile } from 'node:fs/promises';
import {
  optionsObject,
  typeError,
  undisclosedString,
  warnLikelyTypos,
} from '../core/checkOptions.js';
import type { Trace } from '../types.js';
import { AUDIT_GENESIS, chainHash, formatAuditLine, type AuditKey } from './audit/auditChain.js';
import { readAuditTail } from './audit/readAuditTail.js';
import { FileSink, type FileSinkOptions } from './FileSink.js';
import { FILE_OPTION_NAMES, readFileOptions } from './fileOptions.js';
import type { TraceSink } from './TraceSink.js';

/** Options of `AuditSink`: `FileSink`'s (rotation carries the chain on), and a `key`. */
export interface AuditSinkOptions extends FileSinkOptions {
  /** The JSON Lines file of the trail (created if missing; an existing trail is continued). */
  path: string;
  /**
   * With a key each line's hash is an HMAC-SHA256, which only a holder of the key can
   * recompute; without one, a plain SHA-256 chain (detects edits, not a rewrite of the whole
   * chain from the edited line on). A string is taken as UTF-8. Default: none.
   */
  key?: AuditKey;
}

/**
 * A `FileSink` whose lines form a tamper-evident chain: each trace is written as
 * `{"seq":n,"prev":"<hash of line n-1>","hash":"<hash>","trace":{…}}`, where `hash` is SHA-256
 * (HMAC-SHA256 with `key`) over `prev`, `seq` and the trace's JSON as written. The first line's
 * `prev` is 64 zeros. Rotation (`maxBytes`, `maxFiles`) carries the chain on: the first line of a
 * new file chains to the last of the one before. On start, an existing trail is continued from
 * its last line (`path`, else `path.1`); until that tail is read, traces wait in memory (capped
 * at `maxBufferedBytes`, drops counted). Check a trail with `stepmark-otel audit verify`.
 * @example new StepmarkSpanProcessor({ sinks: [new AuditSink({ path: 'audit.jsonl', key: process.env.AUDIT_KEY, maxBytes: 50_000_000 })] })
 */
export class AuditSink implements TraceSink {
  readonly #path: string;
  readonly #key: AuditKey | undefined;
  readonly #maxBuffered: number;
  readonly #file: FileSink;
  readonly keep: ((trace: Trace) => boolean) | undefined;
  #seq = 0;
  #prev = AUDIT_GENESIS;
  /** Traces' JSON waiting for the tail of the existing trail; undefined once it was read. */
  #waiting: string[] | undefined = [];
  #waitingBytes = 0;
  readonly #started: Promise<void>;
  #dropped = 0;
  #failed: Error | undefined;
  #closed = false;

  /** Throws a TypeError or RangeError for a wrong option; starts reading the trail's tail. */
  constructor(options: AuditSinkOptions) {
    const o = optionsObject<Record<string, unknown>>('AuditSink', options) ?? {};
    warnLikelyTypos('AuditSink', o, [...FILE_OPTION_NAMES, 'key']);
    const file = readFileOptions('AuditSink', o);
    const key = o.key;
    if (
      key !== undefined &&
      !(typeof key === 'string' && key !== '') &&
      !(key instanceof Uint8Array && key.byteLength > 0)
    ) {
      // The key itself is never echoed: only its type.
      throw typeError(
        'AuditSink key',
        'a non-empty string or Uint8Array',
        undisclosedString(key),
        'e.g. key: process.env.AUDIT_KEY',
      );
    }
    this.#path = file.path;
    this.#key = key as AuditKey | undefined;
    this.#maxBuffered = file.maxBufferedBytes;
    this.keep = file.keep;
    this.#file = new FileSink({
      path: file.path,
      maxBufferedBytes: file.maxBufferedBytes,
      maxFiles: file.maxFiles,
      ...(file.maxBytes !== undefined ? { maxBytes: file.maxBytes } : {}),
    });
    this.#started = this.#start();
  }

  /** Traces dropped: too much waiting, a write failed (the trail then shows a gap), or after `shutdown`. */
  get dropped(): number {
    return this.#dropped + this.#file.dropped;
  }

  /** Times the file was rotated. */
  get rotations(): number {
    return this.#file.rotations;
  }

  /** Chains the trace to the line before and queues it for writing. */
  export(trace: Trace): void {
    const json = JSON.stringify(trace);
    if (this.#waiting === undefined) {
      this.#append(json);
      return;
    }
    const bytes = Buffer.byteLength(json);
    if (
      this.#closed ||
      (this.#waitingBytes > 0 && this.#waitingBytes + bytes > this.#maxBuffered)
    ) {
      this.#dropped++;
      return;
    }
    this.#waiting.push(json);
    this.#waitingBytes += bytes;
  }

  /** Resolves when everything exported has reached the file; rejects once if something failed. */
  async forceFlush(): Promise<void> {
    await this.#started;
    const failed = this.#failed;
    this.#failed = undefined;
    await this.#file.forceFlush();
    if (failed !== undefined) throw failed;
  }

  /** Writes what is queued and closes the file; later traces are dropped and counted. */
  async shutdown(): Promise<void> {
    this.#closed = true;
    try {
      await this.forceFlush();
    } finally {
      await this.#file.shutdown();
    }
  }

  /**
   * Continues the chain of an existing trail, then writes what waited. A tail that cannot be
   * read or continued starts a new chain from the genesis value (verify shows where) and
   * rejects the next `forceFlush`: an audit sink that stops writing would lose more.
   */
  async #start(): Promise<void> {
    try {
      let tail = await readAuditTail(this.#path);
      let fromRotated = false;
      if (tail === undefined) {
        tail = await readAuditTail(`${this.#path}.1`);
        fromRotated = true;
      }
      if (tail?.last !== undefined) {
        this.#seq = tail.last.seq;
        this.#prev = tail.last.hash;
      }
      if (tail?.problem !== undefined) {
        this.#failed = new Error(
          `stepmark-otel: AuditSink cannot continue the trail of ${this.#path}${fromRotated ? '.1' : ''}: ${tail.problem}; a new chain starts`,
        );
      }
      // A line cut short by a crash is ended here, so that the next line is not glued onto it.
      if (tail?.unterminated === true && !fromRotated) await appendFile(this.#path, '\n');
    } catch (error) {
      this.#failed = error instanceof Error ? error : new Error(String(error));
    } finally {
      const waiting = this.#waiting ?? [];
      this.#waiting = undefined;
      this.#waitingBytes = 0;
      for (const json of waiting) this.#append(json);
    }
  }

  #append(json: string): void {
    const seq = this.#seq + 1;
    const hash = chainHash(this.#prev, seq, json, this.#key);
    // A line FileSink refuses (too much waiting, closed) is counted there and leaves the chain
    // as it was, so the trail shows no gap for it.
    if (this.#file.appendLine(formatAuditLine(seq, this.#prev, hash, json))) {
      this.#seq = seq;
      this.#prev = hash;
    }
  }
}
