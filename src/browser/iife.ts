// The script-tag bundle: global `SkyWalking`. Filled by the browser runtime issue.
export { Tracer } from '../core/index.js';
