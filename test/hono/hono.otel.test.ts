import { httpInstrumentationMiddleware } from '@hono/otel';
import { adapterSuite } from '../support/adapterSuite.js';
import { honoApp } from './honoApp.js';

// @hono/otel takes the global tracer provider when the app is built (after setupOtel).
adapterSuite(
  'stepmark-otel/hono after @hono/otel',
  honoApp(() => httpInstrumentationMiddleware()),
  { serverScope: '@hono/otel', instrumentations: [{ setTracerProvider: () => undefined }] },
);
