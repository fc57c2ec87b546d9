import type { CliResult } from './CliResult.js';
import { entityHistoryOf } from '../jaeger/entityHistory.js';
import { isFailure, readTraceFile, type TraceInput } from './readTraceFile.js';
import { terminalText as safe } from './terminalText.js';
import { entityTimeline, traceTimeline, type Style } from './timeline.js';

/** How `show` runs. */
export interface ShowOptions extends TraceInput {
  /** Print JSON instead of a timeline. */
  json: boolean;
  /** Only this entity's decisions, across the traces of the file. */
  entity?: string | undefined;
  style: Style;
}

/**
 * `stepmark-otel show <file | ->`: the timeline of each trace in a file of traces (JSON, a JSON
 * array, or JSON Lines as `FileSink` writes them), or with `entity` one entity's decisions
 * across them. Lines that hold no trace are named on stderr and skipped; exit 1 when nothing
 * is left to show.
 */
export async function show(path: string, options: ShowOptions): Promise<CliResult> {
  const read = await readTraceFile(path, 'show', options);
  if (isFailure(read)) return read;
  const { name, file, notes } = read;
  const fail = (message: string): CliResult => ({
    code: 1,
    stdout: '',
    stderr: `${notes}${safe(message)}\n`,
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
  return { code: 0, stdout: `${shown}\n`, stderr: notes };
}
