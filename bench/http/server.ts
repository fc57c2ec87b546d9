// Server under test of http.bench.ts, one per process:
//   node --import tsx bench/http/server.ts <http|express> <variant>
// Prints `PORT <n>` once listening; on SIGTERM flushes and prints `STATS <json>`, then exits.
//
// Every variant runs the same handler: 20 stepmark.recordEntity calls (no-ops where stepmark is
// not enabled), then a small 'ok'. The variants differ only by what is installed around it:
//   plain          no OTel SDK, no middleware
//   middleware     the stepmark middleware (default options), no OTel SDK: an untriggered request
//                  pays the middleware alone
//   otel           HTTP instrumentation, a provider and a BatchSpanProcessor to an exporter that
//                  counts and discards
//   otel-stepmark  the same plus the StepmarkSpanProcessor and the middleware (rateLimit: false)
//   otel-events    as otel, and the handler writes its 20 decisions itself as raw span.addEvent
//                  with the attributes stepmark would write: what the decisions cost without stepmark
import type * as Http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type express from 'express';
import * as stepmark from 'stepmark-otel';
import { ATTR_ACTION, ATTR_ENTITY_ID, ATTR_META_PREFIX, ATTR_STAGE } from 'stepmark-otel';
import { middleware, withStepmark, type StepmarkHttpOptions } from 'stepmark-otel/http';
import {
  EVENTS,
  FRAMEWORKS,
  isOneOf,
  TRIGGER_HEADER,
  VARIANTS,
  type Framework,
  type ServerStats,
  type Variant,
} from './variants.js';

const stats: ServerStats = {
  requests: 0,
  triggered: 0,
  exportedSpans: 0,
  exportedEvents: 0,
  stepmarkTraces: 0,
  stepmarkEvents: 0,
  middlewareTraces: 0,
};

/** Counts and discards: an exporter that costs (almost) nothing, so only the processing shows. */
class CountingExporter implements SpanExporter {
  export(spans: ReadableSpan[], done: (result: { code: number }) => void): void {
    stats.exportedSpans += spans.length;
    for (const span of spans) stats.exportedEvents += span.events.length;
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}
}

const [frameworkArg, variantArg] = process.argv.slice(2);
if (!isOneOf(FRAMEWORKS, frameworkArg) || !isOneOf(VARIANTS, variantArg)) {
  throw new Error(`usage: server.ts <${FRAMEWORKS.join('|')}> <${VARIANTS.join('|')}>`);
}
const framework: Framework = frameworkArg;
const variant: Variant = variantArg;

// The SDK and the instrumentation first: it patches `http` when it is required, below.
let provider: BasicTracerProvider | undefined;
if (variant.startsWith('otel')) {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const processors: SpanProcessor[] = [new BatchSpanProcessor(new CountingExporter())];
  if (variant === 'otel-stepmark') {
    processors.unshift(
      new stepmark.StepmarkSpanProcessor({
        onFinish: (t) => {
          stats.stepmarkTraces++;
          for (const entity of Object.values(t.entities ?? {}))
            stats.stepmarkEvents += entity.events.length;
        },
      }),
    );
  }
  provider = new BasicTracerProvider({ spanProcessors: processors });
  trace.setGlobalTracerProvider(provider);
  registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });
}

// Through require (not import) so that the instrumentation's require hook sees both.
const require = createRequire(import.meta.url);
const http = require('node:http') as typeof Http;
const createExpress = require('express') as typeof express;

// Counted only where an instrumentation reads the headers anyway: Node builds `req.headers`
// lazily, and the untraced pair must not pay for it unless the middleware itself does.
const countTriggered = variant.startsWith('otel');

function work(req: IncomingMessage): void {
  stats.requests++;
  if (countTriggered && req.headers[TRIGGER_HEADER] !== undefined) stats.triggered++;
  if (variant === 'otel-events') {
    const span = trace.getActiveSpan();
    for (let i = 0; i < EVENTS; i++) {
      span?.addEvent('stage: action', {
        [ATTR_STAGE]: 'stage',
        [ATTR_ACTION]: 'action',
        [ATTR_ENTITY_ID]: `order_${i % 4}`,
        [`${ATTR_META_PREFIX}i`]: i,
        [`${ATTR_META_PREFIX}ok`]: true,
      });
    }
    return;
  }
  for (let i = 0; i < EVENTS; i++) {
    stepmark.recordEntity(`order_${i % 4}`, 'stage', 'action', { i, ok: true });
  }
}

const withMiddleware = variant === 'middleware' || variant === 'otel-stepmark';
const options: StepmarkHttpOptions =
  variant === 'middleware'
    ? { onFinish: () => void stats.middlewareTraces++ }
    : { rateLimit: false };

let server: Http.Server;
if (framework === 'http') {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    work(req);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  };
  server = http.createServer(withMiddleware ? withStepmark(handler, options) : handler);
} else {
  const app = createExpress();
  if (withMiddleware) app.use(middleware(options));
  app.get('/', (req, res) => {
    work(req);
    res.send('ok');
  });
  server = http.createServer(app);
}

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`PORT ${typeof address === 'object' && address !== null ? address.port : address}`);
});

process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void (async () => {
    await provider?.forceFlush();
    const { openSessions, internalErrors } = stepmark.stats();
    console.log(`STATS ${JSON.stringify({ ...stats, openSessions, internalErrors })}`);
    process.exit(0);
  })();
});

// Never outlive the benchmark that started this server (if it was killed, the parent changes).
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(1);
}, 1_000).unref();
