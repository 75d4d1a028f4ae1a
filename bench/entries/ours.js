import { start } from '../../src/browser/iife.ts';
start({ service: 'web', serviceInstance: '1', collector: '/skywalking' });
