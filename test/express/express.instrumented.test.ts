import { createRequire } from 'node:module';
import type Express from 'express';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { adapterSuite } from '../support/adapterSuite.js';
import { expressApp } from './expressApp.js';

// The instrumentations patch modules as they are required: register first, then require.
const instrumentations = [new HttpInstrumentation(), new ExpressInstrumentation()];
registerInstrumentations({ instrumentations });
const require = createRequire(import.meta.url);
require('node:http');
const express = require('express') as typeof Express;

adapterSuite('stepmark-otel/express with instrumentation-http and -express', expressApp(express), {
  instrumentations,
  serverScope: '@opentelemetry/instrumentation-http',
});
