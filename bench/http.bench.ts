// HTTP end to end: autocannon against a node:http and an Express app on 127.0.0.1, 20 decisions
// per traced request. Each server variant runs in its own process (bench/http/server.ts), pinned
// to core 0 when `taskset` works; this process (autocannon) is pinned to core 1. The variants of
// a framework alternate run by run, in several rounds (order reversed every other round), and
// the median of the per-round ratios is judged: the baseline drifts between moments of a run.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import {
  EVENTS,
  FRAMEWORKS,
  TRIGGER_HEADER,
  VARIANTS,
  type Framework,
  type ServerStats,
  type Variant,
} from './http/variants.js';

const ROUNDS = Number(process.env.HTTP_BENCH_ROUNDS ?? 6);
const SECONDS = Number(process.env.HTTP_BENCH_SECONDS ?? 2);
const WARMUP_SECONDS = 2;
const CONNECTIONS = 16;
const SERVER = fileURLToPath(new URL('./http/server.ts', import.meta.url));

/** Triggered requests: every request of the OTel variants carries the header (the baseline too). */
const triggered = (variant: Variant): boolean => variant.startsWith('otel');

// ---------------------------------------------------------------------------------------------
// Cores and priority: servers on core 0, autocannon (this process, all its threads) on core 1,
// all at the highest priority (nice -20) where allowed, so that other work on the machine takes
// as little as possible from the measured processes. Without taskset or the right, unchanged.

const works = (command: string, args: string[]): boolean =>
  spawnSync(command, args, { stdio: 'ignore' }).status === 0;
const pinned = works('taskset', ['-a', '-p', '-c', '1', String(process.pid)]);
const raised = works('renice', ['-n', '-20', '-p', String(process.pid)]);
/** The command line that starts a server with the same pinning and priority. */
function serverCommand(args: string[]): [string, string[]] {
  const pin = pinned ? ['taskset', '-c', '0'] : [];
  const nice = raised ? ['nice', '-n', '-20'] : [];
  const [command, ...rest] = [...nice, ...pin, process.execPath, ...args];
  return [command as string, rest];
}

/** CPU time (user + system, all threads) of a process in seconds, from /proc; NaN elsewhere. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return Number.NaN;
  }
}

// ---------------------------------------------------------------------------------------------
// Servers

interface Server {
  framework: Framework;
  variant: Variant;
  port: number;
  child: ChildProcess;
  lines: string[];
}

async function start(framework: Framework, variant: Variant): Promise<Server> {
  const args = ['--import', 'tsx', SERVER, framework, variant];
  const [command, commandArgs] = serverCommand(args);
  const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${framework} ${variant}: no PORT`)), 30_000);
    child.once('exit', (code) => reject(new Error(`${framework} ${variant} exited (${code})`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      lines.push(line);
      const match = /^PORT (\d+)$/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
  return { framework, variant, port, child, lines };
}

/** Stops a server and returns what it saw. */
async function stop(server: Server): Promise<ServerStats | undefined> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
  const line = server.lines.find((l) => l.startsWith('STATS '));
  return line === undefined ? undefined : (JSON.parse(line.slice(6)) as ServerStats);
}

// ---------------------------------------------------------------------------------------------
// Load

interface Run {
  rps: number;
  /** p99 of the response times (ms), exact: from every response, not autocannon's ms histogram. */
  p99: number;
  /** autocannon's own p99 (integer ms: its histogram's resolution is 1 ms). */
  p99Autocannon: number;
  /** Server CPU per request, µs (NaN without /proc). */
  cpuUs: number;
  /** Share of its core the server used during the run. */
  busy: number;
  bad: number;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
}

async function load(server: Server, seconds: number): Promise<Run> {
  const times: number[] = [];
  const pid = server.child.pid ?? 0;
  const cpuBefore = cpuSeconds(pid);
  const started = process.hrtime.bigint();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${server.port}/`,
        connections: CONNECTIONS,
        pipelining: 1,
        duration: seconds,
        headers: triggered(server.variant) ? { [TRIGGER_HEADER]: 'true' } : {},
      },
      (error: unknown, r) => (error ? reject(error as Error) : resolve(r)),
    );
    instance.on('response', (_client, _status, _bytes, time) => void times.push(time));
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = cpuSeconds(pid) - cpuBefore;
  const sorted = Float64Array.from(times).sort();
  return {
    rps: result.requests.total / result.duration,
    p99: percentile(sorted, 0.99),
    p99Autocannon: result.latency.p99,
    cpuUs: (cpu / result.requests.total) * 1e6,
    busy: cpu / elapsed,
    bad: result.errors + result.timeouts + result.non2xx,
  };
}

// ---------------------------------------------------------------------------------------------
// Reporting

let missed = false;
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 === 1
    ? (sorted[sorted.length >> 1] ?? Number.NaN)
    : ((sorted[sorted.length / 2 - 1] ?? Number.NaN) + (sorted[sorted.length / 2] ?? Number.NaN)) /
        2;
};

/** `name: 0.991x baseline (target >= 0.98x) PASS|MISS  [detail]` */
function verdict(
  name: string,
  value: number,
  baseline: string,
  target: { min?: number; max?: number },
  detail: string,
): void {
  const ok =
    (target.min === undefined || value >= target.min) &&
    (target.max === undefined || value <= target.max);
  if (!ok) missed = true;
  const limit = target.min !== undefined ? `>= ${target.min}x` : `<= ${target.max}x`;
  console.log(
    `${name}: ${value.toFixed(3)}x ${baseline} (target ${limit}) ${ok ? 'PASS' : 'MISS'}  [${detail}]`,
  );
}

/** A broken set-up (errors, no spans exported, nothing traced) invalidates the figures. */
function check(name: string, ok: boolean, detail: string): void {
  if (!ok) missed = true;
  console.log(`  check ${name}: ${ok ? 'ok' : 'FAILED'}  [${detail}]`);
}

const fmt = (run: { rps: number; p99: number; cpuUs: number }): string =>
  `${Math.round(run.rps)} req/s, p99 ${run.p99.toFixed(2)} ms, ${run.cpuUs.toFixed(0)} µs CPU/req`;

// ---------------------------------------------------------------------------------------------

console.log(
  `autocannon: ${CONNECTIONS} connections, pipelining 1, ${ROUNDS} rounds of ${SECONDS}s per variant; ` +
    `${EVENTS} decisions per request; ${pinned ? 'servers on core 0, autocannon on core 1' : 'not pinned (no taskset)'}; ` +
    `${raised ? 'nice -20' : 'default priority'}`,
);

for (const framework of FRAMEWORKS) {
  const servers = await Promise.all(VARIANTS.map((variant) => start(framework, variant)));
  const runs = new Map<Variant, Run[]>(VARIANTS.map((v) => [v, []]));
  try {
    for (const server of servers) await load(server, WARMUP_SECONDS);
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const server of order) runs.get(server.variant)?.push(await load(server, SECONDS));
    }
  } catch (error) {
    for (const server of servers) server.child.kill('SIGKILL'); // no orphan servers
    throw error;
  }
  const stats = new Map<Variant, ServerStats | undefined>();
  for (const server of servers) stats.set(server.variant, await stop(server));

  const of = (v: Variant): Run[] => runs.get(v) ?? [];
  const med = (v: Variant) => ({
    rps: median(of(v).map((r) => r.rps)),
    p99: median(of(v).map((r) => r.p99)),
    p99Autocannon: median(of(v).map((r) => r.p99Autocannon)),
    cpuUs: median(of(v).map((r) => r.cpuUs)),
    busy: median(of(v).map((r) => r.busy)),
  });
  const perRound = (a: Variant, b: Variant, f: (r: Run) => number): number[] =>
    of(a).map((r, i) => f(r) / f(of(b)[i] as Run));

  console.log(`\n### ${framework === 'http' ? 'node:http' : 'Express'}`);
  for (const v of VARIANTS) {
    const m = med(v);
    console.log(
      `  ${v.padEnd(13)} ${fmt(m)} (autocannon p99 ${m.p99Autocannon} ms), server core ${(m.busy * 100).toFixed(0)}% busy; ` +
        `req/s by round: ${of(v)
          .map((r) => Math.round(r.rps))
          .join(' ')}`,
    );
  }
  const untraced = perRound('middleware', 'plain', (r) => r.rps);
  verdict(
    `${framework} middleware installed, trigger absent: req/s`,
    median(untraced),
    'the app without the middleware',
    { min: 0.98 },
    `median of ${ROUNDS} per-round ratios ${untraced.map((x) => x.toFixed(3)).join(' ')}; ` +
      `CPU/req ${median(perRound('middleware', 'plain', (r) => r.cpuUs)).toFixed(3)}x`,
  );
  const traced = perRound('otel-stepmark', 'otel', (r) => r.rps);
  verdict(
    `${framework} every request triggered (no response header): req/s`,
    median(traced),
    'the app with OTel HTTP instrumentation + BatchSpanProcessor',
    { min: 0.85 },
    `median of ${ROUNDS} per-round ratios ${traced.map((x) => x.toFixed(3)).join(' ')}; ` +
      `CPU/req ${median(perRound('otel-stepmark', 'otel', (r) => r.cpuUs)).toFixed(3)}x`,
  );
  const versusRaw = perRound('otel-stepmark', 'otel-events', (r) => r.rps);
  console.log(
    `${framework} every request triggered: req/s: ${median(versusRaw).toFixed(3)}x the OTel app writing ` +
      `the same ${EVENTS} decisions as raw span.addEvent (reported)  [median of ${ROUNDS} per-round ratios ` +
      `${versusRaw.map((x) => x.toFixed(3)).join(' ')}; raw events alone: ` +
      `${median(perRound('otel-events', 'otel', (r) => r.rps)).toFixed(3)}x the OTel app]`,
  );
  const p99 = perRound('middleware', 'plain', (r) => r.p99);
  verdict(
    `${framework} p99 latency, untriggered`,
    median(p99),
    'the app without the middleware',
    { max: 1.05 },
    `median of ${ROUNDS} per-round ratios ${p99.map((x) => x.toFixed(3)).join(' ')}; ` +
      `p99 ${med('middleware').p99.toFixed(2)} vs ${med('plain').p99.toFixed(2)} ms`,
  );

  // The figures mean something only if every variant did what it claims.
  const bad = VARIANTS.reduce((n, v) => n + of(v).reduce((s, r) => s + r.bad, 0), 0);
  check('no errors, timeouts or non-2xx', bad === 0, `${bad}`);
  const s = (v: Variant): ServerStats | undefined => stats.get(v);
  const plain = s('plain');
  const mw = s('middleware');
  const otel = s('otel');
  const both = s('otel-stepmark');
  check(
    'plain and middleware traced nothing',
    plain?.exportedSpans === 0 &&
      mw !== undefined &&
      mw.middlewareTraces === 0 &&
      mw.openSessions === 0 &&
      mw.exportedSpans === 0,
    `middleware: ${JSON.stringify(mw)}`,
  );
  check(
    'otel exported a span per request, without events',
    otel !== undefined &&
      otel.requests > 0 &&
      otel.exportedSpans === otel.requests &&
      otel.exportedEvents === 0,
    `${otel?.exportedSpans} spans for ${otel?.requests} requests, ${otel?.exportedEvents} events`,
  );
  const raw = s('otel-events');
  check(
    `otel-events exported a span per request with ${EVENTS} events`,
    raw !== undefined &&
      raw.requests > 0 &&
      raw.exportedSpans === raw.requests &&
      raw.exportedEvents === EVENTS * raw.requests,
    `${raw?.exportedSpans} spans / ${raw?.exportedEvents} events for ${raw?.requests} requests`,
  );
  check(
    `otel-stepmark traced every request with ${EVENTS} decisions`,
    both !== undefined &&
      both.requests > 0 &&
      both.triggered === both.requests &&
      both.exportedSpans === both.requests &&
      both.stepmarkTraces === both.requests &&
      both.stepmarkEvents === EVENTS * both.requests &&
      both.exportedEvents === EVENTS * both.requests,
    `${both?.stepmarkTraces} stepmark traces / ${both?.stepmarkEvents} decisions, ` +
      `${both?.exportedSpans} spans / ${both?.exportedEvents} span events exported, for ${both?.requests} requests`,
  );
}

if (missed) process.exitCode = 1;
