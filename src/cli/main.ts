#!/usr/bin/env node
// The `stepmark-otel` command: the decisions of a file of traces, or rebuilt from Jaeger. Kept
// out of the core entry point.
import { parseArgs } from 'node:util';
import {
  DEFAULT_JAEGER_URL,
  JaegerClient,
  JaegerHttpError,
  JaegerUnreachableError,
  TraceNotFoundError,
} from '../jaeger/JaegerClient.js';
import { analyze, analyzeJaeger } from './analyze.js';
import { auditVerify } from './audit.js';
import { failure, unexpectedError, type CliResult } from './CliResult.js';
import { jaegerEntity, jaegerTrace } from './jaegerCommands.js';
import { packageVersion } from './packageVersion.js';
import { parseDuration } from './parseDuration.js';
import { MAX_INPUT_BYTES } from './readTraceFile.js';
import { show } from './show.js';
import { DEFAULT_VIEW_OUT, view } from './view.js';
import { styleFor } from './timeline.js';

export type { CliResult } from './CliResult.js';

const USAGE = `usage:
  stepmark-otel show <file.json | file.jsonl | -> [--entity ID] [--json]
      the decisions of each trace in a file: a JSON trace, a JSON array of traces, or JSON Lines
      as FileSink writes them (- reads stdin); lines that hold no trace are named and skipped
  stepmark-otel view <file.json | file.jsonl | -> [--out report.html] [--jaeger-url URL]
      the traces of a file as one self-contained HTML page (default ${DEFAULT_VIEW_OUT}; --out -
      prints it); decisions per entity, the span tree as a Gantt, where the time went, a search
  stepmark-otel analyze <file.json | file.jsonl | -> [--json]
  stepmark-otel analyze --trace <traceId> [--jaeger-url URL] [--json]
      per trace: races (found in process, and between the services of a fan-out), the audit trail
      of each variable, the critical path, duration anomalies (against the traces before it in
      the file) and service dependencies; --trace reads one distributed trace from Jaeger
  stepmark-otel jaeger trace <traceId> [--json] [--jaeger-url URL]
      the decisions of one distributed trace: all services, entities merged, events in time order
  stepmark-otel jaeger entity <entityId> [--service NAME] [--since 1h] [--json] [--jaeger-url URL]
      the decision history of one entity across traces
  stepmark-otel audit verify <file...> [--key-env NAME] [--json]
      checks an audit trail written by AuditSink, files oldest first (audit.jsonl.2 audit.jsonl.1
      audit.jsonl): "verified N lines" (exit 0), or the first line changed, removed or reordered
  stepmark-otel --version

  --entity       show only this entity's decisions, across the traces of the file
  --jaeger-url   Jaeger's query service (default: $JAEGER_URL or ${DEFAULT_JAEGER_URL})
  --json         print JSON instead of a timeline (analyze: one JSON object per trace, per line)
  --out          the HTML file view writes (- for stdout)
  --trace        analyze this distributed trace, read from Jaeger, instead of a file
  --since        how far back to search: 30m, 1h, 2d, 1h30m (default 1h)
  --service      search this service only (default: every service Jaeger knows)
  --limit        traces to read per service (default 100; the output says when it was reached)
  --key-env      the environment variable holding the audit trail's HMAC key (never on argv)`;

type Command = 'show' | 'view' | 'analyze' | 'jaeger trace' | 'jaeger entity';
type OptionName = 'entity' | 'out' | 'jaeger-url' | 'service' | 'since' | 'limit' | 'trace';

/** What each command takes after its name. */
const OPERAND: Record<Command, string> = {
  show: '<file> (a path, or - for stdin)',
  view: '<file> (a path, or - for stdin)',
  analyze: '<file> (a path, or - for stdin) or --trace <traceId>',
  'jaeger trace': '<traceId>',
  'jaeger entity': '<entityId>',
};

/**
 * The options each command takes (`--json` and `--help` go with every one). `jaeger trace` has
 * always accepted the search options of `jaeger entity` and ignored them: it still does, so that
 * a command line that worked keeps working.
 */
const TAKES: Record<Command, readonly OptionName[]> = {
  show: ['entity'],
  view: ['out', 'jaeger-url'],
  analyze: ['trace', 'jaeger-url'],
  'jaeger trace': ['jaeger-url', 'service', 'since', 'limit'],
  'jaeger entity': ['jaeger-url', 'service', 'since', 'limit'],
};
const OPTIONS: readonly OptionName[] = [
  'entity',
  'out',
  'jaeger-url',
  'service',
  'since',
  'limit',
  'trace',
];

/** What a run reads besides argv and the environment; tests give their own. */
export interface CliIo {
  /** What `show -` reads. Default: `process.stdin`. */
  stdin?: AsyncIterable<Uint8Array | string>;
  /** Bytes `show` reads at most (more is refused). Default 64 MiB. */
  maxInputBytes?: number;
}

/** Bad usage: what is wrong, then the usage; exit 2. */
function usageError(message: string): CliResult {
  return failure(2, message, `${USAGE}\n`);
}

/** The command the positional arguments name and its operand, or what is wrong with them. */
function commandOf(positionals: readonly string[]): { command: Command; operand: string } | string {
  const [first, ...rest] = positionals;
  let command: Command;
  let args: string[];
  if (first === undefined) return 'missing a command: show, view, analyze, audit or jaeger';
  if (first === 'show' || first === 'view' || first === 'analyze') {
    command = first;
    args = rest;
  } else if (first === 'jaeger') {
    const [sub, ...more] = rest;
    if (sub === undefined) return 'missing a jaeger command: trace or entity';
    if (sub !== 'trace' && sub !== 'entity') return `unknown command: jaeger ${sub}`;
    command = `jaeger ${sub}`;
    args = more;
  } else {
    return `unknown command: ${first}`;
  }
  const [operand, extra] = args;
  // `analyze --trace ID` takes no operand: `run` checks that one of the two is given.
  if (!operand && command !== 'analyze') return `missing ${OPERAND[command]}`;
  if (extra !== undefined) return `unexpected argument: ${extra}`;
  return { command, operand: operand ?? '' };
}

/**
 * Whether `text` is an http(s) URL with a host. `localhost:16686` is none: it parses, with the
 * scheme `localhost:`, and fetch would then fail as if Jaeger were unreachable.
 */
function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * Runs the CLI with `argv` (without node and script) and returns what it printed, never
 * throwing. `io` (optional, for tests) replaces stdin and the size limit of `show`.
 */
export async function run(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  isTty = false,
  io: CliIo = {},
): Promise<CliResult> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        entity: { type: 'string' },
        out: { type: 'string' },
        'jaeger-url': { type: 'string' },
        service: { type: 'string' },
        since: { type: 'string' },
        limit: { type: 'string' },
        trace: { type: 'string' },
        'key-env': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { code: 0, stdout: `${USAGE}\n`, stderr: '' };
  if (values.version) {
    const version = packageVersion();
    if (version === undefined)
      return failure(1, 'version unknown: no package.json of stepmark-otel found');
    return { code: 0, stdout: `${version}\n`, stderr: '' };
  }
  if (positionals[0] === 'audit') return await audit(positionals.slice(1), values, env);
  if (values['key-env'] !== undefined) return usageError('--key-env: only with audit verify');
  const named = commandOf(positionals);
  if (typeof named === 'string') return usageError(named);
  const { command, operand } = named;
  for (const option of OPTIONS) {
    if (values[option] !== undefined && !TAKES[command].includes(option))
      return usageError(`--${option}: not an option of ${command}`);
  }
  // --json stays exact, for programs: JSON.stringify escapes C0 controls but leaves C1 and bidi
  // controls as they are. The timeline, for people, escapes them all (`terminalText`).
  const style = styleFor(isTty, env);
  if (command === 'analyze') {
    if (values.trace === undefined) {
      if (!operand) return usageError(`missing ${OPERAND.analyze}`);
      if (values['jaeger-url'] !== undefined)
        return usageError('--jaeger-url: only with --trace (a file is read as it is)');
      try {
        return await analyze(operand, {
          json: values.json,
          style,
          ...(io.stdin !== undefined ? { stdin: io.stdin } : {}),
          maxBytes: io.maxInputBytes ?? MAX_INPUT_BYTES,
        });
      } catch (error) {
        return unexpectedError(error);
      }
    }
    if (operand) return usageError(`unexpected argument: ${operand} (--trace reads Jaeger)`);
  }
  if (command === 'show') {
    try {
      return await show(operand, {
        json: values.json,
        entity: values.entity,
        style,
        ...(io.stdin !== undefined ? { stdin: io.stdin } : {}),
        maxBytes: io.maxInputBytes ?? MAX_INPUT_BYTES,
      });
    } catch (error) {
      return unexpectedError(error);
    }
  }

  // An empty --jaeger-url or JAEGER_URL counts as unset.
  const [source, url] = values['jaeger-url']
    ? ['--jaeger-url', values['jaeger-url']]
    : env.JAEGER_URL
      ? ['JAEGER_URL', env.JAEGER_URL]
      : ['the default', DEFAULT_JAEGER_URL];
  if (!isHttpUrl(url)) {
    return failure(
      2,
      `${source}: not a URL: ${url} (expected http:// or https://, e.g. ${DEFAULT_JAEGER_URL})`,
    );
  }
  if (command === 'view') {
    if (values.json) return usageError('--json: not an option of view');
    try {
      return await view(operand, {
        out: values.out || DEFAULT_VIEW_OUT,
        // Links to Jaeger only when asked for: a page shared with others should not point at a
        // default address that is not theirs.
        jaegerUrl: source === 'the default' ? undefined : url,
        ...(io.stdin !== undefined ? { stdin: io.stdin } : {}),
        maxBytes: io.maxInputBytes ?? MAX_INPUT_BYTES,
      });
    } catch (error) {
      return unexpectedError(error);
    }
  }

  const since = values.since ?? '1h';
  const sinceMs = parseDuration(since);
  if (sinceMs === undefined) return failure(2, `--since: not a duration: ${since}`);
  const limit = Number(values.limit ?? '100');
  if (!Number.isInteger(limit) || limit < 1) {
    return failure(2, `--limit: not a positive integer: ${values.limit}`);
  }
  if (command === 'jaeger trace' && !/^[0-9a-f]{32}$/i.test(operand)) {
    return failure(2, `not a trace id (32 hex digits): ${operand}`);
  }
  const traceId = values.trace ?? '';
  if (command === 'analyze' && !/^[0-9a-f]{32}$/i.test(traceId)) {
    return failure(2, `--trace: not a trace id (32 hex digits): ${traceId}`);
  }
  const jaeger = { client: new JaegerClient(url), url, json: values.json, style };
  try {
    if (command === 'analyze') return await analyzeJaeger(traceId, jaeger);
    if (command === 'jaeger trace') return await jaegerTrace(operand, jaeger);
    return await jaegerEntity(operand, {
      ...jaeger,
      since,
      sinceMs,
      limit,
      service: values.service,
    });
  } catch (error) {
    if (
      error instanceof JaegerUnreachableError ||
      error instanceof TraceNotFoundError ||
      error instanceof JaegerHttpError
    ) {
      return failure(1, error.message);
    }
    return unexpectedError(error);
  }
}

/** `audit verify <file...> [--key-env NAME] [--json]`. */
async function audit(
  args: readonly string[],
  values: { json: boolean; 'key-env'?: string | undefined } & Partial<
    Record<OptionName, string | undefined>
  >,
  env: NodeJS.ProcessEnv,
): Promise<CliResult> {
  const [sub, ...files] = args;
  if (sub === undefined) return usageError('missing an audit command: verify');
  if (sub !== 'verify') return usageError(`unknown command: audit ${sub}`);
  if (files.length === 0) return usageError('missing <file...> (oldest first)');
  for (const option of OPTIONS) {
    if (values[option] !== undefined)
      return usageError(`--${option}: not an option of audit verify`);
  }
  const keyEnv = values['key-env'];
  let key: string | undefined;
  if (keyEnv !== undefined) {
    key = env[keyEnv];
    if (!key)
      return failure(2, `--key-env: the environment variable ${keyEnv} is not set or empty`);
  }
  try {
    return await auditVerify(files, { json: values.json, key });
  } catch (error) {
    return unexpectedError(error);
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
