import * as common from '@nestjs/common';
import * as core from '@nestjs/core';
import { adapterSuite } from '../support/adapterSuite.js';
import { nestApp } from './nestApp.js';

adapterSuite('stepmark-otel/nestjs (Express platform)', nestApp(common, core));
