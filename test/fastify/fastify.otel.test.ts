import { FastifyOtelInstrumentation } from '@fastify/otel';
import fastify from 'fastify';
import { adapterSuite } from '../support/adapterSuite.js';
import { fastifyApp } from './fastifyApp.js';

// @fastify/otel alone (no instrumentation-http): its 'request' span is the server span.
const fastifyOtel = new FastifyOtelInstrumentation();

adapterSuite(
  'stepmark-otel/fastify after @fastify/otel',
  fastifyApp(fastify, () => fastifyOtel.plugin()),
  { instrumentations: [fastifyOtel], serverScope: '@fastify/otel' },
);
