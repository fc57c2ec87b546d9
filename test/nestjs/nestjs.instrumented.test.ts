import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import type * as NestCommon from '@nestjs/common';
import type * as NestCore from '@nestjs/core';
import { adapterSuite } from '../support/adapterSuite.js';
import { nestApp } from './nestApp.js';

// The instrumentations patch modules as they are required: register first, then require.
const instrumentations = [new HttpInstrumentation(), new ExpressInstrumentation()];
registerInstrumentations({ instrumentations });
const require = createRequire(import.meta.url);
require('node:http');
require('express');
const common = require('@nestjs/common') as typeof NestCommon;
const core = require('@nestjs/core') as typeof NestCore;

adapterSuite('stepmark-otel/nestjs with instrumentation-http and -express', nestApp(common, core), {
  instrumentations,
  serverScope: '@opentelemetry/instrumentation-http',
});
