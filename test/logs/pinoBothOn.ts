// A process with @opentelemetry/instrumentation-pino on and pino's mixin set to pinoMixin():
// prints one line logged in a traced request (test/logs/logFields.test.ts reads it).
import { createRequire } from 'node:module';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type Pino from 'pino';
import * as stepmark from '../../src/index.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const provider = new BasicTracerProvider({
  spanProcessors: [new stepmark.StepmarkSpanProcessor()],
});
trace.setGlobalTracerProvider(provider);
registerInstrumentations({ instrumentations: [new PinoInstrumentation()] });
// Required after the instrumentation is registered, so that it patches pino.
const pino = createRequire(import.meta.url)('pino') as typeof Pino;
const instrumentedOnly = pino();
const logger = pino({ mixin: stepmark.pinoMixin() });
trace.getTracer('both').startActiveSpan('request', (span) => {
  stepmark.withTracing(() => {
    instrumentedOnly.info('instrumentation only');
    logger.info('both on');
  });
  span.end();
});
