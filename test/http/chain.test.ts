import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Trace } from '../../src/index.js';

const script = fileURLToPath(new URL('./fixtures/chainService.ts', import.meta.url));

/** What a service of the signed chain received: the trace it ran in and its `baggage` header. */
interface Seen {
  trace_id?: string;
  baggage?: string;
}

interface Service {
  url: string;
  traces: Trace[];
  /** Requests the signed-chain service handled, in order. */
  seen: Seen[];
  child: ChildProcess;
  /** Resolves with the first trace this service prints. */
  nextTrace: Promise<Trace>;
  /** Resolves with the first trace of `traceId` this service prints. */
  traceOf(traceId: string): Promise<Trace>;
}

/** The options JSON of a chain service (see the fixture), and its environment. */
interface Fixture {
  options?: object;
  env?: NodeJS.ProcessEnv;
}

/** Starts one chain service in its own Node process; resolves once it listens on 127.0.0.1. */
function start(name: string, downstream?: string, fixture: Fixture = {}): Promise<Service> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      script,
      name,
      JSON.stringify(fixture.options ?? {}),
      ...(downstream ? [downstream] : []),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: fixture.env ?? process.env,
    },
  );
  const traces: Trace[] = [];
  const seen: Seen[] = [];
  const waiting: Array<(t: Trace) => boolean> = [];
  const traceOf = (traceId: string) =>
    new Promise<Trace>((resolve) => {
      const found = traces.find((t) => t.trace_id === traceId);
      if (found !== undefined) return resolve(found);
      waiting.push((t) => t.trace_id === traceId && (resolve(t), true));
    });
  let firstTrace: (t: Trace) => void = () => undefined;
  const nextTrace = new Promise<Trace>((resolve) => (firstTrace = resolve));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('PORT '))
        resolve({
          url: `http://127.0.0.1:${line.slice(5)}`,
          traces,
          seen,
          child,
          nextTrace,
          traceOf,
        });
      if (line.startsWith('SEEN ')) seen.push(JSON.parse(line.slice(5)) as Seen);
      if (line.startsWith('TRACE ')) {
        const t = JSON.parse(line.slice(6)) as Trace;
        traces.push(t);
        firstTrace(t);
        for (let i = waiting.length - 1; i >= 0; i--) if (waiting[i]?.(t)) waiting.splice(i, 1);
      }
    });
  });
}

/** Waits until `done()` holds, checking every 10 ms for at most 10 s. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!done()) throw new Error('timed out');
}

const services: Service[] = [];
afterAll(async () => {
  for (const s of services) {
    s.child.removeAllListeners('exit');
    const exited = new Promise((resolve) => s.child.once('exit', resolve));
    s.child.kill('SIGTERM');
    await exited;
  }
});

describe('three services in three processes', () => {
  it('records decisions in all three under one trace id from one trigger at the edge', async () => {
    const payments = await start('payments');
    services.push(payments);
    const inventory = await start('inventory', payments.url);
    services.push(inventory);
    const edge = await start('edge', inventory.url);
    services.push(edge);
    // Untriggered: nothing is recorded anywhere (no trace is printed).
    expect(await (await fetch(edge.url)).text()).toBe('edge');
    // One trigger at the edge only.
    expect(await (await fetch(edge.url, { headers: { 'X-Stepmark': 'true' } })).text()).toBe(
      'edge',
    );
    const [atEdge, atInventory, atPayments] = await Promise.all([
      edge.nextTrace,
      inventory.nextTrace,
      payments.nextTrace,
    ]);
    const ids = new Set([atEdge.trace_id, atInventory.trace_id, atPayments.trace_id]);
    expect(ids.size).toBe(1);
    expect(
      [atEdge, atInventory, atPayments].map((t) => t.entities?.order_9?.events[0]?.stage),
    ).toEqual(['edge', 'inventory', 'payments']);
    // Parent links: each downstream server span continues the caller's server span (the outgoing
    // fetch is not instrumented here, so the caller's server span is the propagated parent).
    expect(atInventory.spans?.[0]?.parent_id).toBe(atEdge.spans?.[0]?.span_id);
    expect(atPayments.spans?.[0]?.parent_id).toBe(atInventory.spans?.[0]?.span_id);
    // Only the triggered request was traced, in every service.
    expect([edge.traces.length, inventory.traces.length, payments.traces.length]).toEqual([
      1, 1, 1,
    ]);
  }, 60_000);
});

describe('a signed stepmark flag across three services (authorize and a shared key everywhere)', () => {
  const token = 'chain-token';
  const key = 'chain-flag-key';
  const env = { ...process.env, STEPMARK_TOKEN: token, STEPMARK_FLAG_KEY: key };
  /** The documented signature: base64url of the first 16 bytes of HMAC-SHA256(key, domain + trace id). */
  const signatureFor = (traceId: string, secret = key) =>
    createHmac('sha256', secret)
      .update(`stepmark-otel/flag/v1:${traceId}`)
      .digest()
      .subarray(0, 16)
      .toString('base64url');
  const newTraceId = () => randomBytes(16).toString('hex');
  const traceparent = (traceId: string) => `00-${traceId}-b7ad6b7169203331-01`;
  /** The baggage entries a service received for `traceId`, as `key=value` strings, sorted. */
  const baggageAt = (service: Service, traceId: string) =>
    (service.seen.find((s) => s.trace_id === traceId)?.baggage ?? '').split(',').sort();
  const stats = async (service: Service) =>
    (await (await fetch(`${service.url}/stats`)).json()) as Record<string, number>;
  /** A triggered, authorized request at the edge; resolves with its trace id once all three printed it. */
  const triggered = async (baggage?: string) => {
    const count = edge.seen.length;
    const response = await fetch(edge.url, {
      headers: {
        'X-Stepmark': 'true',
        'X-Stepmark-Token': token,
        ...(baggage === undefined ? {} : { baggage }),
      },
    });
    expect(await response.text()).toBe('edge');
    // Its SEEN line went out before the response, but may still be on its way through the pipe.
    await until(() => edge.seen.length > count);
    const traceId = edge.seen[count]?.trace_id ?? '';
    await Promise.all([edge, middle, leaf].map((s) => s.traceOf(traceId)));
    return traceId;
  };
  /** Whether any of the three services printed a trace of `traceId`. */
  const tracedAnywhere = (traceId: string) =>
    [edge, middle, leaf].some((s) => s.traces.some((t) => t.trace_id === traceId));

  let edge: Service;
  let middle: Service;
  let leaf: Service;
  beforeAll(async () => {
    const fixture = (options: object): Fixture => ({
      options: { tokenAuthorizer: true, ...options },
      env,
    });
    leaf = await start('leaf', undefined, fixture({}));
    services.push(leaf);
    middle = await start('middle', leaf.url, fixture({}));
    services.push(middle);
    edge = await start('edge', middle.url, fixture({ forwardBaggage: 'stepmark-only' }));
    services.push(edge);
  }, 60_000);

  it('signs the flag at the edge, and the services behind it honour and forward that signature', async () => {
    const traceId = await triggered();
    const signed = ['stepmark.sig=' + signatureFor(traceId), 'stepmark=1'];
    expect(baggageAt(middle, traceId)).toEqual(signed);
    expect(baggageAt(leaf, traceId)).toEqual(signed);
    expect(
      [edge, middle, leaf].map((s) => s.traces.find((t) => t.trace_id === traceId)?.entities),
    ).toEqual(
      ['edge', 'middle', 'leaf'].map((name) => ({
        order_9: expect.objectContaining({
          events: [expect.objectContaining({ stage: name, action: 'visited' })],
        }),
      })),
    );
  }, 30_000);

  it("drops the caller's other baggage downstream of an edge with forwardBaggage 'stepmark-only'", async () => {
    const traceId = await triggered('user.role=admin,tenant=a');
    expect(baggageAt(middle, traceId)).toEqual([
      'stepmark.sig=' + signatureFor(traceId),
      'stepmark=1',
    ]);
    expect(baggageAt(leaf, traceId)).toEqual(baggageAt(middle, traceId));
  }, 30_000);

  it("refuses an outsider's unsigned baggage at the edge: untraced, and counted", async () => {
    const before = await stats(edge);
    const outsider = newTraceId();
    const response = await fetch(edge.url, {
      headers: { traceparent: traceparent(outsider), baggage: 'stepmark=1,user.role=admin' },
    });
    expect(await response.text()).toBe('edge');
    expect((await stats(edge)).refusedBaggageFlags).toBe(before.refusedBaggageFlags! + 1);
    await triggered(); // a traced request after it: had the refused one been traced, it shows now
    expect(tracedAnywhere(outsider)).toBe(false);
  }, 30_000);

  it('refuses a forged signature behind the edge', async () => {
    const before = await stats(middle);
    const forgedIds = [newTraceId(), newTraceId()];
    const forgeries = [
      signatureFor(forgedIds[0]!, 'a guessed key'),
      randomBytes(16).toString('base64url'),
    ];
    for (const [i, sig] of forgeries.entries()) {
      const response = await fetch(middle.url, {
        headers: {
          traceparent: traceparent(forgedIds[i]!),
          baggage: `stepmark=1,stepmark.sig=${sig}`,
        },
      });
      expect(await response.text()).toBe('middle');
    }
    expect((await stats(middle)).refusedBaggageFlags).toBe(before.refusedBaggageFlags! + 2);
    await triggered();
    expect(forgedIds.some(tracedAnywhere)).toBe(false);
  }, 30_000);

  it('refuses a valid signature replayed with another traceparent, and honours one signed for it', async () => {
    const original = await triggered();
    const stolen = signatureFor(original);
    expect(baggageAt(middle, original)).toContain(`stepmark.sig=${stolen}`);
    const before = await stats(middle);
    const other = newTraceId();
    const replayed = await fetch(middle.url, {
      headers: { traceparent: traceparent(other), baggage: `stepmark=1,stepmark.sig=${stolen}` },
    });
    expect(await replayed.text()).toBe('middle');
    expect((await stats(middle)).refusedBaggageFlags).toBe(before.refusedBaggageFlags! + 1);
    // The same request, signed for its own trace id: the middle and the leaf record it.
    const honoured = await fetch(middle.url, {
      headers: {
        traceparent: traceparent(other),
        baggage: `stepmark=1,stepmark.sig=${signatureFor(other)}`,
      },
    });
    expect(await honoured.text()).toBe('middle');
    await Promise.all([middle.traceOf(other), leaf.traceOf(other)]);
    expect((await stats(middle)).refusedBaggageFlags).toBe(before.refusedBaggageFlags! + 1);
    expect(middle.seen.filter((s) => s.trace_id === other)).toHaveLength(1); // the honoured one
  }, 30_000);
});
