import fastify from 'fastify';
import { adapterSuite } from '../support/adapterSuite.js';
import { fastifyApp } from './fastifyApp.js';

adapterSuite('stepmark-otel/fastify', fastifyApp(fastify));
