import { integerOption, POSITIVE, typeError } from '../core/checkOptions.js';
import type { Trace } from '../types.js';
import { keepOption } from './keepWhen.js';

/** The options of a sink that writes a JSON Lines file (`FileSink`, `AuditSink`), checked. */
export interface FileOptions {
  path: string;
  maxBytes: number | undefined;
  maxFiles: number;
  maxBufferedBytes: number;
  keep: ((trace: Trace) => boolean) | undefined;
}

/** Their names, for `warnLikelyTypos`. */
export const FILE_OPTION_NAMES = ['path', 'maxBytes', 'maxFiles', 'maxBufferedBytes', 'keep'];

const DEFAULT_MAX_FILES = 5;
const DEFAULT_MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * Reads and checks the file options of `owner`'s options object, defaults filled in. Throws a
 * TypeError or RangeError naming the option (`FileSink maxFiles ...`).
 */
export function readFileOptions(owner: string, o: Record<string, unknown>): FileOptions {
  if (typeof o.path !== 'string' || o.path === '')
    throw typeError(
      `${owner} path`,
      'a file path',
      o.path,
      `e.g. new ${owner}({ path: 'traces.jsonl' })`,
    );
  return {
    path: o.path,
    maxBytes: integerOption(`${owner} maxBytes`, o.maxBytes, POSITIVE),
    maxFiles: integerOption(`${owner} maxFiles`, o.maxFiles, POSITIVE) ?? DEFAULT_MAX_FILES,
    maxBufferedBytes:
      integerOption(`${owner} maxBufferedBytes`, o.maxBufferedBytes, POSITIVE) ??
      DEFAULT_MAX_BUFFERED_BYTES,
    keep: keepOption(owner, o.keep),
  };
}
