#!/usr/bin/env node
// The `stepmark-otel` command: rebuild decisions from Jaeger. Kept out of the core entry point.
import { parseArgs } from 'node:util';
import { entityHistory } from '../jaeger/entityHistory.js';
import {
  DEFAULT_JAEGER_URL,
  JaegerClient,
  JaegerHttpError,
  JaegerUnreachableError,
  TraceNotFoundError,
} from '../jaeger/JaegerClient.js';
import { rebuildTraces } from '../jaeger/rebuildTrace.js';
import { parseDuration } from './parseDuration.js';
import { terminalText as safe } from './terminalText.js';
import { COLOR, entityTimeline, PLAIN, traceTimeline } from './timeline.js';

const USAGE = `usage:
  stepmark-otel jaeger trace <traceId> [--json] [--jaeger-url URL]
      the decisions of one distributed trace: all services, entities merged, events in time order
  stepmark-otel jaeger entity <entityId> [--service NAME] [--since 1h] [--json] [--jaeger-url URL]
      the decision history of one entity across traces

  --jaeger-url   Jaeger's query service (default: $JAEGER_URL or ${DEFAULT_JAEGER_URL})
  --json         print JSON instead of a timeline
  --since        how far back to search: 30m, 1h, 2d, 1h30m (default 1h)
  --service      search this service only (default: every service Jaeger knows)
  --limit        traces to read per service (default 100; the output says when it was reached)`;

/** What a run printed and its exit code; `run` never exits the process itself (tests call it). */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A failed run. The message may echo arguments or what Jaeger answered, so it is escaped
 * (`terminalText`); `after` is the CLI's own text (the usage), printed as it is.
 */
function failure(code: number, message: string, after = ''): CliResult {
  return { code, stdout: '', stderr: `${safe(message)}\n${after}` };
}

/**
 * An unexpected error with its stack. The first line (name and message) may hold anything, a line
 * break too, so it is escaped whole; the frames below it keep their own lines, each escaped.
 */
function unexpectedError(error: unknown): string {
  const head = String(error);
  const stack = error instanceof Error ? error.stack : undefined;
  if (stack === undefined || !stack.startsWith(head)) return safe(stack ?? head);
  const frames = stack.slice(head.length).split('\n').slice(1);
  return [safe(head), ...frames.map(safe)].join('\n');
}

/** Runs the CLI with `argv` (without node and script). */
export async function run(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  isTty = false,
): Promise<CliResult> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        'jaeger-url': { type: 'string' },
        service: { type: 'string' },
        since: { type: 'string', default: '1h' },
        limit: { type: 'string', default: '100' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return failure(2, (error as Error).message, `${USAGE}\n`);
  }
  const { values, positionals } = parsed;
  const [group, command, id, ...extra] = positionals;
  if (values.help) return { code: 0, stdout: `${USAGE}\n`, stderr: '' };
  if (
    group !== 'jaeger' ||
    (command !== 'trace' && command !== 'entity') ||
    !id ||
    extra.length > 0
  ) {
    return { code: 2, stdout: '', stderr: `${USAGE}\n` };
  }
  const since = parseDuration(values.since);
  if (since === undefined) return failure(2, `--since: not a duration: ${values.since}`);
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) {
    return failure(2, `--limit: not a positive integer: ${values.limit}`);
  }
  if (command === 'trace' && !/^[0-9a-f]{32}$/i.test(id)) {
    return failure(2, `not a trace id (32 hex digits): ${id}`);
  }
  // An empty JAEGER_URL counts as unset; NO_COLOR counts when non-empty (no-color.org).
  const url = values['jaeger-url'] || env.JAEGER_URL || DEFAULT_JAEGER_URL;
  const client = new JaegerClient(url);
  const style = isTty && !env.NO_COLOR ? COLOR : PLAIN;
  // --json stays exact, for programs: JSON.stringify escapes C0 controls but leaves C1 and bidi
  // controls as they are. The timeline, for people, escapes them all (`terminalText`).
  try {
    if (command === 'trace') {
      const [trace] = rebuildTraces(await client.getTrace(id));
      if (trace === undefined) return failure(1, `trace ${id} not found in Jaeger at ${url}`);
      return {
        code: 0,
        stdout: `${values.json ? JSON.stringify(trace, null, 2) : traceTimeline(trace, style)}\n`,
        stderr: '',
      };
    }
    const history = await entityHistory(client, id, {
      sinceMs: since,
      limit,
      ...(values.service !== undefined ? { service: values.service } : {}),
    });
    if (history.events.length === 0) {
      return failure(1, `no decisions about ${id} in Jaeger at ${url} in the last ${values.since}`);
    }
    return {
      code: 0,
      stdout: `${values.json ? JSON.stringify(history, null, 2) : entityTimeline(history, style)}\n`,
      stderr: '',
    };
  } catch (error) {
    if (
      error instanceof JaegerUnreachableError ||
      error instanceof TraceNotFoundError ||
      error instanceof JaegerHttpError
    ) {
      return failure(1, error.message);
    }
    return { code: 1, stdout: '', stderr: `unexpected error: ${unexpectedError(error)}\n` };
  }
}

const invokedDirectly =
  process.argv[1] !== undefined &&
  /(?:^|[\\/])(?:main\.[cm]?[jt]s|cli\.[cm]?js|stepmark-otel)$/.test(process.argv[1]);
if (invokedDirectly) {
  // No top-level await: the same file is also built as CommonJS.
  void run(process.argv.slice(2), process.env, process.stdout.isTTY === true).then((result) => {
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    process.exitCode = result.code;
  });
}
