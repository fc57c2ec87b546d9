import { createReadStream } from 'node:fs';
import { failure, type CliResult } from './CliResult.js';
import { entityHistoryOf } from '../jaeger/entityHistory.js';
import { parseTraceFile } from './parseTraceFile.js';
import { readCapped } from './readCapped.js';
import { terminalText as safe } from './terminalText.js';
import { entityTimeline, traceTimeline, type Style } from './timeline.js';

/** Largest input `show` reads by default: 64 MiB, four times what a `FileSink` buffers. */
export const SHOW_MAX_BYTES = 64 * 1024 * 1024;

/** How `show` runs. */
export interface ShowOptions {
  /** Print JSON instead of a timeline. */
  json: boolean;
  /** Only this entity's decisions, across the traces of the file. */
  entity?: string | undefined;
  style: Style;
  /** What `-` reads. Default: `process.stdin` (opened only then). */
  stdin?: AsyncIterable<Uint8Array | string>;
  /** Bytes read at most; more is refused. */
  maxBytes: number;
}

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

function unreadable(name: string, error: unknown): CliResult {
  const code = (error as { code?: unknown } | null)?.code;
  const reason =
    (typeof code === 'string' ? REASONS[code] : undefined) ??
    (error instanceof Error ? error.message : String(error));
  return failure(1, `cannot read ${name}: ${reason}`);
}

/**
 * `stepmark-otel show <file | ->`: the timeline of each trace in a file of traces (JSON, a JSON
 * array, or JSON Lines as `FileSink` writes them), or with `entity` one entity's decisions
 * across them. Lines that hold no trace are named on stderr and skipped; exit 1 when nothing
 * is left to show.
 */
export async function show(path: string, options: ShowOptions): Promise<CliResult> {
  const name = path === '-' ? '<stdin>' : path;
  let text: string | undefined;
  try {
    text = await readCapped(
      path === '-' ? (options.stdin ?? process.stdin) : createReadStream(path),
      options.maxBytes,
    );
  } catch (error) {
    return unreadable(name, error);
  }
  if (text === undefined) {
    const limit = `${Math.round((options.maxBytes / 1024 / 1024) * 10) / 10} MiB`;
    return failure(
      1,
      `${name}: larger than ${limit}, the most show reads; pipe in the end of it instead: tail -n 1000 FILE | stepmark-otel show -`,
    );
  }
  const file = parseTraceFile(text, name);
  const notes = file.skipped.map((message) => `${safe(message)}\n`);
  const more = file.skippedCount - file.skipped.length;
  if (more > 0) notes.push(`${safe(name)}: ${more} more skipped\n`);
  const fail = (message: string): CliResult => ({
    code: 1,
    stdout: '',
    stderr: `${notes.join('')}${safe(message)}\n`,
  });
  if (file.traces.length === 0) return fail(`no trace in ${name}`);
  let shown: string;
  if (options.entity !== undefined) {
    const history = entityHistoryOf(file.traces, options.entity);
    if (history.events.length === 0) return fail(`no decisions about ${options.entity} in ${name}`);
    shown = options.json
      ? JSON.stringify(history, null, 2)
      : entityTimeline(history, options.style);
  } else {
    shown = options.json
      ? JSON.stringify(file.traces, null, 2)
      : file.traces.map((trace) => traceTimeline(trace, options.style)).join('\n\n');
  }
  return { code: 0, stdout: `${shown}\n`, stderr: notes.join('') };
}
