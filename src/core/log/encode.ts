import type { ProtoWriter } from '../encode/proto-writer.js';
import * as T from '../encode/wire-tags.js';
import type { LogData } from './model.js';

/** @internal One `LogData` message (logging/Logging.proto), for a `LogReportService/collect` stream. */
export function encodeLogData(w: ProtoWriter, log: LogData): Uint8Array {
  w.reset();
  w.uint(T.LogData_timestamp, log.timestamp);
  w.string(T.LogData_service, log.service);
  w.string(T.LogData_serviceInstance, log.serviceInstance);
  if (log.endpoint) w.string(T.LogData_endpoint, log.endpoint);
  const body = w.open(T.LogData_body);
  w.string(T.LogDataBody_type, log.body.type);
  if (log.body.type === 'json') {
    const at = w.open(T.LogDataBody_json);
    w.string(T.JSONLog_json, log.body.json.json);
    w.join(at);
  } else {
    const at = w.open(T.LogDataBody_text);
    w.string(T.TextLog_text, log.body.text.text);
    w.join(at);
  }
  w.join(body);
  const tc = log.traceContext;
  if (tc) {
    const at = w.open(T.LogData_traceContext);
    w.string(T.TraceContext_traceId, tc.traceId);
    w.string(T.TraceContext_traceSegmentId, tc.traceSegmentId);
    w.int32(T.TraceContext_spanId, tc.spanId);
    w.join(at);
  }
  const tags = w.open(T.LogData_tags);
  for (const d of log.tags.data) {
    const at = w.open(T.LogTags_data);
    w.string(T.KeyStringValuePair_key, d.key);
    w.string(T.KeyStringValuePair_value, d.value);
    w.join(at);
  }
  w.join(tags);
  if (log.layer) w.string(T.LogData_layer, log.layer);
  return w.finish();
}
