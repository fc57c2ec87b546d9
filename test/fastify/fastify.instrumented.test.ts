import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import type Fastify from 'fastify';
import { adapterSuite } from '../support/adapterSuite.js';
import { instrumentedRequire } from '../support/instrumented.js';
import { fastifyApp } from './fastifyApp.js';

const instrumentations = [new HttpInstrumentation()];
const require = instrumentedRequire(instrumentations);
const fastify = require('fastify') as typeof Fastify;

adapterSuite('stepmark-otel/fastify with instrumentation-http', fastifyApp(fastify), {
  instrumentations,
  serverScope: '@opentelemetry/instrumentation-http',
});
