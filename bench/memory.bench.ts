// Memory: many traced requests leave no residue; roots that never end stay bounded by the cap.
import { context, trace } from '@opentelemetry/api';
import * as stepmark from 'stepmark-otel';
import { finish, heapAfterGc, report } from './measure.js';
import { provider, tracedRequests, useGlobally } from './otelSetup.js';

const MB = 1024 * 1024;
let bytes = 0;
const processor = new stepmark.StepmarkSpanProcessor({
  onFinish: (t) => void (bytes += JSON.stringify(t).length),
});
const { provider: p, tracer, exporter } = provider([processor]);
useGlobally(p);

const rig = { tracer, processor, exporter };
await tracedRequests(rig, 2_000, 20, 500); // warm-up: JIT code and lazily created structures
const start = heapAfterGc();
await tracedRequests(rig, 100_000, 20, 500);
const grown = (heapAfterGc() - start) / MB;
report(
  'heap growth after 100,000 traced requests of 20 events',
  grown,
  'MB',
  { max: 10 },
  `emitted ${processor.stats().tracesEmitted}`,
);

function neverEnded(n: number): void {
  for (let i = 0; i < n; i++) {
    const span = tracer.startSpan('never-ends');
    context.with(stepmark.enable(undefined, trace.setSpan(context.active(), span)), () => {
      for (let e = 0; e < 20; e++) stepmark.recordEntity(`order_${e}`, 'stage', 'action', { e });
    });
  }
}
const beforeOpen = heapAfterGc();
neverEnded(10_000);
await processor.forceFlush();
const after10k = (heapAfterGc() - beforeOpen) / MB;
neverEnded(10_000);
await processor.forceFlush();
const after20k = (heapAfterGc() - beforeOpen) / MB;
const s = processor.stats();
console.log(
  `  never-ended roots: held ${s.tracesInProgress} (cap 1000), evicted for capacity ${s.tracesEvictedCapacity}; heap +${after10k.toFixed(1)} MB after 10,000, +${after20k.toFixed(1)} MB after 20,000`,
);
report(
  'heap growth from 10,000 to 20,000 never-ended roots (bounded by the cap)',
  after20k - after10k,
  'MB',
  { max: 5 },
);
if (bytes < 0) console.log(bytes);
finish();
