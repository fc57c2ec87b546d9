import express from 'express';
import { adapterSuite } from '../support/adapterSuite.js';
import { expressApp } from './expressApp.js';

adapterSuite('stepmark-otel/express', expressApp(express), { rawBody: true });
