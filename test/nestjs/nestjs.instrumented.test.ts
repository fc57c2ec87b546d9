import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import type * as NestCommon from '@nestjs/common';
import type * as NestCore from '@nestjs/core';
import { adapterSuite } from '../support/adapterSuite.js';
import { instrumentedRequire } from '../support/instrumented.js';
import { nestApp } from './nestApp.js';

const instrumentations = [new HttpInstrumentation(), new ExpressInstrumentation()];
const require = instrumentedRequire(instrumentations);
require('express');
const common = require('@nestjs/common') as typeof NestCommon;
const core = require('@nestjs/core') as typeof NestCore;

adapterSuite('stepmark-otel/nestjs with instrumentation-http and -express', nestApp(common, core), {
  instrumentations,
  serverScope: '@opentelemetry/instrumentation-http',
});
