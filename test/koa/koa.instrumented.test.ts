import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KoaInstrumentation } from '@opentelemetry/instrumentation-koa';
import type KoaType from 'koa';
import { adapterSuite } from '../support/adapterSuite.js';
import { koaApp } from './koaApp.js';

// The instrumentations patch modules as they are required: register first, then require.
const instrumentations = [new HttpInstrumentation(), new KoaInstrumentation()];
registerInstrumentations({ instrumentations });
const require = createRequire(import.meta.url);
require('node:http');
const Koa = require('koa') as typeof KoaType;

adapterSuite('stepmark-otel/koa with instrumentation-http and -koa', koaApp(Koa), {
  instrumentations,
  serverScope: '@opentelemetry/instrumentation-http',
});
