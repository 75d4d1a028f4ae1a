#!/usr/bin/env node
// `skywalking-tracing collector`: filled by the collector issue.
export {};
