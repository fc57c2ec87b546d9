// Disabled path: recordEntity when stepmark is off must cost next to nothing and allocate nothing.
import { context, createContextKey, trace } from '@opentelemetry/api';
import * as stepmark from 'stepmark-otel';
import { bytesPerCall, finish, ns, nsPerOp, report } from './measure.js';
import { provider } from './otelSetup.js';

const N = 20_000_000;
let sink = 0;
function empty(
  _id: string,
  _stage: string,
  _action: string,
  meta?: { score: number; ok: boolean },
): void {
  if (meta !== undefined && meta.score < 0) sink++;
}
const emptyLoop = (n: number) => {
  for (let i = 0; i < n; i++) empty('order_42', 'fraud_check', 'cleared', { score: i, ok: true });
};
const recordLoop = (n: number) => {
  for (let i = 0; i < n; i++)
    stepmark.recordEntity('order_42', 'fraud_check', 'cleared', { score: i, ok: true });
};
// One OTel context lookup: read a key of the active context (what "is this request traced?" costs).
const KEY = createContextKey('bench.lookup');
const lookupLoop = (n: number) => {
  for (let i = 0; i < n; i++) if (context.active().getValue(KEY) !== undefined) sink++;
};

// The processor is installed, as in a real service, but no request is traced.
const { tracer } = provider([new stepmark.StepmarkSpanProcessor()]);
const emptyNs = nsPerOp(emptyLoop, N);
const offNs = nsPerOp(recordLoop, N);
report(
  'disabled recordEntity, nothing traced',
  offNs / emptyNs,
  'empty function call',
  { max: 3 },
  `${ns(offNs)} vs ${ns(emptyNs)}`,
);
const emptyBytes = bytesPerCall(emptyLoop);
const offBytes = bytesPerCall(recordLoop);
console.log(
  `  heap bytes per call: recordEntity ${offBytes.toFixed(2)}, empty call ${emptyBytes.toFixed(2)}`,
);
report('disabled recordEntity, heap allocated per call', offBytes, 'bytes', { max: 0.5 });

// Another request is being traced at the same time: a disabled call may cost one context lookup.
const span = tracer.startSpan('other-request');
const traced = stepmark.enable(undefined, trace.setSpan(context.active(), span));
context.with(traced, () => stepmark.record('other', 'request'));
const lookupNs = nsPerOp(lookupLoop, N / 4);
const busyNs = nsPerOp(recordLoop, N / 4);
report(
  'disabled recordEntity, another request traced',
  busyNs / lookupNs,
  'one context lookup (context.active().getValue)',
  { max: 1.2 },
  `${ns(busyNs)} vs ${ns(lookupNs)}`,
);
span.end();
if (sink === -1) console.log(sink);
finish();
