// Processor overhead on requests that record nothing: span start+end with and without it installed.
import { context, trace } from '@opentelemetry/api';
import * as stepmark from 'stepmark-otel';
import { finish, ns, nsPerOpSettled, report } from './measure.js';
import { provider } from './otelSetup.js';

const N = 50_000;
const plain = provider([]);
const withStepmark = provider([new stepmark.StepmarkSpanProcessor()]);
const loop = (setup: typeof plain) => (n: number) => {
  setup.exporter.reset();
  for (let i = 0; i < n; i++) setup.tracer.startSpan('GET /health').end();
};

// Alternate the two, so that drift of the machine hits both alike; keep the best median of each.
let baseNs = Number.POSITIVE_INFINITY;
let stepNs = Number.POSITIVE_INFINITY;
for (let round = 0; round < 3; round++) {
  baseNs = Math.min(baseNs, await nsPerOpSettled(loop(plain), N));
  stepNs = Math.min(stepNs, await nsPerOpSettled(loop(withStepmark), N));
}
report(
  'processor on untraced spans',
  stepNs / baseNs,
  'SimpleSpanProcessor + in-memory exporter alone',
  { max: 1.1 },
  `${ns(stepNs)} vs ${ns(baseNs)}`,
);

// The same while another request is traced (the processor then looks each span's trace up).
const span = withStepmark.tracer.startSpan('other');
context.with(stepmark.enable(undefined, trace.setSpan(context.active(), span)), () =>
  stepmark.record('o', 'x'),
);
let busyNs = Number.POSITIVE_INFINITY;
for (let round = 0; round < 3; round++) {
  busyNs = Math.min(busyNs, await nsPerOpSettled(loop(withStepmark), N));
}
report(
  'processor on untraced spans, another request traced',
  busyNs / baseNs,
  'SimpleSpanProcessor + in-memory exporter alone',
  { max: 1.1 },
  `${ns(busyNs)} vs ${ns(baseNs)}`,
);
span.end();
finish();
