// Preload entry: `node --import skywalking-tracing/node/register app.mjs`
// (or --require). Filled by the Node runtime issue.
export {};
