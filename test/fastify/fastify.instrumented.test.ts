import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import type Fastify from 'fastify';
import { adapterSuite } from '../support/adapterSuite.js';
import { fastifyApp } from './fastifyApp.js';

// instrumentation-http patches `http` as it is required: register first, then require.
const instrumentations = [new HttpInstrumentation()];
registerInstrumentations({ instrumentations });
const require = createRequire(import.meta.url);
require('node:http');
const fastify = require('fastify') as typeof Fastify;

adapterSuite('stepmark-otel/fastify with instrumentation-http', fastifyApp(fastify), {
  instrumentations,
  serverScope: '@opentelemetry/instrumentation-http',
});
