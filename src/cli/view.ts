import { writeFile } from 'node:fs/promises';
import { renderHtml } from '../viewer/renderHtml.js';
import { failure, type CliResult } from './CliResult.js';
import { isFailure, readTraceFile, type TraceInput } from './readTraceFile.js';
import { terminalText as safe } from './terminalText.js';

/** Where `view` writes its page without `--out`. */
export const DEFAULT_VIEW_OUT = 'stepmark-report.html';

/** How `view` runs. */
export interface ViewOptions extends TraceInput {
  /** The HTML file to write; `-` writes the page on stdout. */
  out: string;
  /** Links each trace to Jaeger's UI at this URL. */
  jaegerUrl?: string | undefined;
}

/**
 * `stepmark-otel view <file | -> [--out report.html] [--jaeger-url URL]`: the traces of a file
 * (JSON, a JSON array, JSON Lines) as one self-contained HTML page (`renderHtml`). Lines that
 * hold no trace are named on stderr and skipped; exit 1 when no trace is left.
 */
export async function view(path: string, options: ViewOptions): Promise<CliResult> {
  const read = await readTraceFile(path, 'view', options);
  if (isFailure(read)) return read;
  const { name, file, notes } = read;
  if (file.traces.length === 0)
    return { code: 1, stdout: '', stderr: `${notes}${safe(`no trace in ${name}`)}\n` };
  const html = renderHtml(file.traces, {
    title: `${name}: ${file.traces.length} trace(s)`,
    ...(options.jaegerUrl !== undefined ? { jaegerUrl: options.jaegerUrl } : {}),
  });
  if (options.out === '-') return { code: 0, stdout: html, stderr: notes };
  try {
    await writeFile(options.out, html);
  } catch (error) {
    const reason = (error as { code?: unknown }).code ?? (error as Error).message;
    return failure(1, `cannot write ${options.out}: ${String(reason)}`);
  }
  const skipped = file.skippedCount > 0 ? `, ${file.skippedCount} line(s) skipped` : '';
  return {
    code: 0,
    stdout: `${safe(`wrote ${options.out} (${file.traces.length} trace(s)${skipped}): open it in a browser`)}\n`,
    stderr: notes,
  };
}
