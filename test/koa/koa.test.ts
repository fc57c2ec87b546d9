import Koa from 'koa';
import { adapterSuite } from '../support/adapterSuite.js';
import { koaApp } from './koaApp.js';

adapterSuite('stepmark-otel/koa', koaApp(Koa));
