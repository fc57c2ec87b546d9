// Disabled path: recordEntity when stepmark is off must cost next to nothing and allocate nothing.
// node-flags: --min-semi-space-size=64 --max-semi-space-size=64
// (a young generation that holds a whole measuring loop: no scavenge hides an allocation)
import { context, createContextKey, trace } from '@opentelemetry/api';
import * as stepmark from 'stepmark-otel';
import { bytesPerCall, finish, ns, pairedNsPerOp, report } from './measure.js';
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

const [emptyNs, offNs] = pairedNsPerOp(emptyLoop, recordLoop, N);
report(
  'disabled recordEntity, nothing traced',
  offNs / emptyNs,
  'empty function call',
  { max: 3 },
  `${ns(offNs)} vs ${ns(emptyNs)}`,
);
let kept: unknown;
const allocatingLoop = (n: number) => {
  for (let i = 0; i < n; i++) kept = { score: i, ok: true };
};
const referenceBytes = bytesPerCall(allocatingLoop);
const emptyBytes = bytesPerCall(emptyLoop);
const offBytes = bytesPerCall(recordLoop);
console.log(
  `  heap bytes per call: recordEntity ${offBytes.toFixed(2)}, empty call ${emptyBytes.toFixed(2)}, a loop keeping a 2-key object ${referenceBytes.toFixed(2)}`,
);
// The instrument must see a real allocation, or a 0 above would prove nothing.
if (referenceBytes < 16) {
  console.log('  MISS: the allocation measurement missed the reference allocation');
  process.exitCode = 1;
}
if (kept === undefined) console.log(kept);
report('disabled recordEntity, heap allocated per call', offBytes, 'bytes', { max: 0.5 });

// span(name, fn) and addTag(key, value) off: the same one check, then fn itself / nothing.
// Kept a small integer: past 2^30 increments V8 would box it (the loops run over a billion).
const work = () => (sink = (sink + 1) & 0xffff);
const directLoop = (n: number) => {
  for (let i = 0; i < n; i++) work();
};
const spanLoop = (n: number) => {
  for (let i = 0; i < n; i++) stepmark.span('pricing', work);
};
const [directNs, spanNs] = pairedNsPerOp(directLoop, spanLoop, N);
report(
  'disabled span(name, fn), nothing traced',
  spanNs / directNs,
  'calling fn directly',
  { max: 3 },
  `${ns(spanNs)} vs ${ns(directNs)}`,
);
const tagLoop = (n: number) => {
  for (let i = 0; i < n; i++) stepmark.addTag('cart.items', i);
};
const [emptyTagNs, tagNs] = pairedNsPerOp(emptyLoop, tagLoop, N);
report(
  'disabled addTag, nothing traced',
  tagNs / emptyTagNs,
  'empty function call',
  { max: 3 },
  `${ns(tagNs)} vs ${ns(emptyTagNs)}`,
);
report(
  'disabled span and addTag, heap allocated per call',
  Math.max(bytesPerCall(spanLoop), bytesPerCall(tagLoop)),
  'bytes',
  { max: 0.5 },
);

// Another request is being traced at the same time: a disabled call may cost one context lookup.
const span = tracer.startSpan('other-request');
const traced = stepmark.enable(undefined, trace.setSpan(context.active(), span));
context.with(traced, () => stepmark.record('other', 'request'));
const [lookupNs, busyNs] = pairedNsPerOp(lookupLoop, recordLoop, N / 4);
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
