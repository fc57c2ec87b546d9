import { createReadStream } from 'node:fs';
import { failure, type CliResult } from './CliResult.js';
import { parseTraceFile, type TraceFile } from './parseTraceFile.js';
import { readCapped } from './readCapped.js';
import { terminalText as safe } from './terminalText.js';

/** Largest input a command reads by default: 64 MiB, four times what a `FileSink` buffers. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** Where a command reads its traces from. */
export interface TraceInput {
  /** What `-` reads. Default: `process.stdin` (opened only then). */
  stdin?: AsyncIterable<Uint8Array | string> | undefined;
  /** Bytes read at most; more is refused. */
  maxBytes: number;
}

/** A file of traces read, with the lines on stderr that name what was skipped. */
export interface ReadTraces {
  name: string;
  file: TraceFile;
  /** One line per skipped line (the first 10) and a count of the rest, escaped for a terminal. */
  notes: string;
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
 * The traces of `path` (`-` for stdin) for the `command` named in messages: a JSON trace, a JSON
 * array of them, or JSON Lines. At most `maxBytes` are read (memory stays bounded; more is refused
 * with the limit and what to do). A failure is the CliResult to return.
 */
export async function readTraceFile(
  path: string,
  command: string,
  input: TraceInput,
): Promise<ReadTraces | CliResult> {
  const name = path === '-' ? '<stdin>' : path;
  let text: string | undefined;
  try {
    text = await readCapped(
      path === '-' ? (input.stdin ?? process.stdin) : createReadStream(path),
      input.maxBytes,
    );
  } catch (error) {
    return unreadable(name, error);
  }
  if (text === undefined) {
    const limit = `${Math.round((input.maxBytes / 1024 / 1024) * 10) / 10} MiB`;
    return failure(
      1,
      `${name}: larger than ${limit}, the most ${command} reads; pipe in the end of it instead: tail -n 1000 FILE | stepmark-otel ${command} -`,
    );
  }
  const file = parseTraceFile(text, name);
  const notes = file.skipped.map((message) => `${safe(message)}\n`);
  const more = file.skippedCount - file.skipped.length;
  if (more > 0) notes.push(`${safe(name)}: ${more} more skipped\n`);
  return { name, file, notes: notes.join('') };
}

/** Whether `read` is a failure to return rather than traces. */
export function isFailure(read: ReadTraces | CliResult): read is CliResult {
  return 'code' in read;
}
