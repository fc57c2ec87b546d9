// Interop with a real peer: a Go program on the official OpenTelemetry Go SDK (test/interop/peer,
// built by scripts/interop.sh) calls the TS service with its own traceparent and baggage, the TS
// service calls it back, and both sides' spans must agree on the trace id and the parent links.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Trace } from '../../src/index.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const service = fileURLToPath(new URL('./fixtures/tsService.ts', import.meta.url));

/** The cached peer binary for the current peer sources, or why there is none. */
function findPeer(): { binary: string } | { reason: string } {
  const path = spawnSync('bash', [`${repo}scripts/interop.sh`, 'path'], { encoding: 'utf8' });
  const binary = path.stdout.trim();
  if (path.status === 0 && binary && existsSync(binary)) return { binary };
  return { reason: 'no Go interop peer (build it with `bash scripts/interop.sh build`; needs Go)' };
}

const found = findPeer();
if ('reason' in found) {
  if (process.env.STEPMARK_REQUIRE_INTEROP === '1')
    throw new Error(`STEPMARK_REQUIRE_INTEROP=1 but ${found.reason}`);
  console.log(`skipping interop tests: ${found.reason}`);
}

/** A span line of the Go peer (its own JSON exporter). */
interface GoSpan {
  name: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  kind: string;
  attributes: Record<string, unknown>;
}
/** A span line of the TS service. */
interface TsSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: SpanKind;
}

/**
 * A child process speaking `<KIND> <json>` lines on stdout. `line()` waits for a line rather
 * than for time; the process ending fails the wait at once, with its stderr.
 */
class LineProcess {
  readonly child: ChildProcess;
  readonly #lines: string[] = [];
  readonly #waiters = new Set<() => void>();
  #closed = false;
  #stderr = '';

  constructor(
    readonly label: string,
    command: string,
    args: string[],
  ) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4000);
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.#lines.push(line);
      this.#wake();
    });
    // 'close', not 'exit': every line the process printed has been read by then.
    this.child.once('close', () => {
      this.#closed = true;
      this.#wake();
    });
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  /**
   * The JSON of the first `<kind> ...` line that `match` accepts, once printed. `safetyMs` only
   * turns a hang into a message listing what was printed; nothing here depends on timing.
   */
  line<T>(kind: string, match: (value: T) => boolean = () => true, safetyMs = 30_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        this.#waiters.delete(check);
        clearTimeout(timer);
        const seen = this.#lines.map((l) => `  ${l.slice(0, 300)}`).join('\n');
        reject(new Error(`${this.label}: ${why}; printed:\n${seen}\nstderr:\n${this.#stderr}`));
      };
      const check = () => {
        for (const line of this.#lines) {
          if (!line.startsWith(`${kind} `)) continue;
          const value = JSON.parse(line.slice(kind.length + 1)) as T;
          if (match(value)) {
            this.#waiters.delete(check);
            clearTimeout(timer);
            return resolve(value);
          }
        }
        if (this.#closed) fail(`exited (${this.child.exitCode}) without the ${kind} line awaited`);
      };
      const timer = setTimeout(() => fail(`no such ${kind} line after ${safetyMs} ms`), safetyMs);
      this.#waiters.add(check);
      check();
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** Matches a W3C baggage header holding (at least) these members, in any order (Go's is a map). */
const hasMembers = (header: unknown, ...wanted: string[]) =>
  expect(String(header).split(',')).toEqual(expect.arrayContaining(wanted));

describe.skipIf('reason' in found)('interop with the OpenTelemetry Go SDK', () => {
  let peer: LineProcess;
  let ts: LineProcess;
  let tsUrl: string;

  beforeAll(async () => {
    peer = new LineProcess('Go peer', (found as { binary: string }).binary, []);
    const peerPort = await peer.line<number>('PORT');
    ts = new LineProcess('TS service', process.execPath, [
      '--import',
      'tsx',
      service,
      `http://127.0.0.1:${peerPort}/callback`,
    ]);
    tsUrl = `http://127.0.0.1:${await ts.line<number>('PORT')}/`;
  }, 60_000);

  afterAll(async () => {
    await Promise.all([peer?.stop(), ts?.stop()]);
  }, 30_000);

  it('continues the Go trace, records on its baggage, and the Go callback continues ours', async () => {
    peer.child.stdin!.write(`CALL ${tsUrl}\n`);
    const result = await peer.line<{ status?: number; body?: string; error?: string }>('RESULT');
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(200);

    // Go -> TS: the TS server span continues the Go client span, itself the root of a new trace.
    const goClient = await peer.line<GoSpan>('SPAN', (s) => s.kind === 'client');
    expect(goClient).toMatchObject({ name: 'interop.call', parent_span_id: '' });
    expect(goClient.trace_id).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    const tsServer = await ts.line<TsSpan>('SPAN', (s) => s.kind === SpanKind.SERVER);
    expect(tsServer.traceId).toBe(goClient.trace_id);
    expect(tsServer.parentSpanId).toBe(goClient.span_id);

    // Baggage stepmark=1 alone turned recording on, under the Go trace id, on that server span.
    const recorded = await ts.line<Trace>('TRACE');
    expect(recorded.trace_id).toBe(goClient.trace_id);
    expect(recorded.entities?.order_7?.events).toMatchObject([
      { stage: 'interop', action: 'visited', meta: { peer: 'go' } },
    ]);
    expect(recorded.spans?.[0]).toMatchObject({
      span_id: tsServer.spanId,
      parent_id: goClient.span_id,
    });

    // TS -> Go: otelhttp's server span continues the TS server span (the active span when
    // propagationHeaders() ran), and Go's baggage propagator read stepmark=1 and the Go
    // peer's own tenant=acme, carried through the TS service.
    const goCallback = await peer.line<GoSpan>('SPAN', (s) => s.kind === 'server');
    expect(goCallback.trace_id).toBe(goClient.trace_id);
    expect(goCallback.parent_span_id).toBe(tsServer.spanId);
    hasMembers(goCallback.attributes['peer.baggage'], 'stepmark=1', 'tenant=acme');
    const answer = JSON.parse(result.body ?? '{}') as { peerStatus: number; peerBaggage: string };
    expect(answer.peerStatus).toBe(200);
    hasMembers(answer.peerBaggage, 'stepmark=1', 'tenant=acme');
  }, 60_000);
});
