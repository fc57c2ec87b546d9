import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Trace } from '../../src/index.js';

const script = fileURLToPath(new URL('./fixtures/chainService.ts', import.meta.url));

interface Service {
  url: string;
  traces: Trace[];
  child: ChildProcess;
  /** Resolves with the first trace this service prints. */
  nextTrace: Promise<Trace>;
}

/** Starts one chain service in its own Node process; resolves once it listens on 127.0.0.1. */
function start(name: string, downstream?: string): Promise<Service> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, name, ...(downstream ? [downstream] : [])],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const traces: Trace[] = [];
  let firstTrace: (t: Trace) => void = () => undefined;
  const nextTrace = new Promise<Trace>((resolve) => (firstTrace = resolve));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('PORT '))
        resolve({ url: `http://127.0.0.1:${line.slice(5)}`, traces, child, nextTrace });
      if (line.startsWith('TRACE ')) {
        const t = JSON.parse(line.slice(6)) as Trace;
        traces.push(t);
        firstTrace(t);
      }
    });
  });
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
