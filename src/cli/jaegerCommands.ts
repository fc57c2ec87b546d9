import { entityHistory } from '../jaeger/entityHistory.js';
import type { JaegerClient } from '../jaeger/JaegerClient.js';
import { rebuildTraces } from '../jaeger/rebuildTrace.js';
import { failure, type CliResult } from './CliResult.js';
import { entityTimeline, jaegerLink, traceTimeline, type Style } from './timeline.js';

// The commands that read Jaeger. Errors of the client (unreachable, HTTP, not found) propagate:
// `run` turns them into one escaped line and exit 1.

/** Where and how a Jaeger command reads and prints. */
export interface JaegerCommandOptions {
  client: JaegerClient;
  /** Jaeger's query service as given (for messages and the link to its UI). */
  url: string;
  json: boolean;
  style: Style;
}

/**
 * `stepmark-otel jaeger trace <traceId>`: the decisions of one distributed trace, then a line
 * with its link in Jaeger's UI (not with `--json`: the output stays one JSON document).
 */
export async function jaegerTrace(id: string, options: JaegerCommandOptions): Promise<CliResult> {
  const [trace] = rebuildTraces(await options.client.getTrace(id));
  if (trace === undefined) return failure(1, `trace ${id} not found in Jaeger at ${options.url}`);
  const shown = options.json
    ? JSON.stringify(trace, null, 2)
    : `${traceTimeline(trace, options.style)}\n${jaegerLink(options.url, id, options.style)}`;
  return { code: 0, stdout: `${shown}\n`, stderr: '' };
}

/** `stepmark-otel jaeger entity <entityId>`: one entity's decisions across traces. */
export async function jaegerEntity(
  id: string,
  options: JaegerCommandOptions & {
    sinceMs: number;
    /** As the user wrote it, for the message when nothing is found. */
    since: string;
    limit: number;
    service?: string | undefined;
  },
): Promise<CliResult> {
  const history = await entityHistory(options.client, id, {
    sinceMs: options.sinceMs,
    limit: options.limit,
    ...(options.service !== undefined ? { service: options.service } : {}),
  });
  if (history.events.length === 0) {
    return failure(
      1,
      `no decisions about ${id} in Jaeger at ${options.url} in the last ${options.since}`,
    );
  }
  const shown = options.json
    ? JSON.stringify(history, null, 2)
    : entityTimeline(history, options.style);
  return { code: 0, stdout: `${shown}\n`, stderr: '' };
}
