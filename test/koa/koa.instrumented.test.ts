import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KoaInstrumentation } from '@opentelemetry/instrumentation-koa';
import type KoaType from 'koa';
import { adapterSuite } from '../support/adapterSuite.js';
import { instrumentedRequire } from '../support/instrumented.js';
import { koaApp } from './koaApp.js';

const instrumentations = [new HttpInstrumentation(), new KoaInstrumentation()];
const require = instrumentedRequire(instrumentations);
const Koa = require('koa') as typeof KoaType;

adapterSuite('stepmark-otel/koa with instrumentation-http and -koa', koaApp(Koa), {
  instrumentations,
  serverScope: '@opentelemetry/instrumentation-http',
});
