import type { ProtoWriter } from '../encode/proto-writer.js';
import * as T from '../encode/wire-tags.js';
import type { MeterLabel, MeterSample } from './model.js';

/** Who a meter stream is from, and when: written on the stream's first element only. */
export interface MeterStreamHeader {
  service: string;
  serviceInstance: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
}

/**
 * One `MeterData` message per sample, ready for a `MeterReportService/collect` stream.
 * OAP takes `service`, `serviceInstance` and `timestamp` from the stream's first element
 * (the last non-empty ones win), so only the first carries them. @internal
 */
export function encodeMeterStream(writer: ProtoWriter, samples: readonly MeterSample[], header: MeterStreamHeader): Uint8Array[] {
  return samples.map((s, i) => encodeMeterData(writer, s, i === 0 ? header : undefined));
}

/** @internal One `MeterData`: the sample, and the header when given. */
export function encodeMeterData(w: ProtoWriter, sample: MeterSample, header?: MeterStreamHeader): Uint8Array {
  w.reset();
  if (sample.kind === 'single') {
    const at = w.open(T.MeterData_singleValue);
    w.string(T.MeterSingleValue_name, sample.name);
    labels(w, T.MeterSingleValue_labels, sample.labels);
    w.double(T.MeterSingleValue_value, sample.value);
    w.join(at);
  } else {
    const at = w.open(T.MeterData_histogram);
    w.string(T.MeterHistogram_name, sample.name);
    labels(w, T.MeterHistogram_labels, sample.labels);
    for (const b of sample.buckets) {
      const v = w.open(T.MeterHistogram_values);
      w.double(T.MeterBucketValue_bucket, b.bucket);
      w.uint(T.MeterBucketValue_count, b.count);
      w.join(v);
    }
    w.join(at);
  }
  if (header) {
    w.string(T.MeterData_service, header.service);
    w.string(T.MeterData_serviceInstance, header.serviceInstance);
    w.uint(T.MeterData_timestamp, header.timestamp);
  }
  return w.finish();
}

function labels(w: ProtoWriter, key: number, list: readonly MeterLabel[]): void {
  for (const l of list) {
    const at = w.open(key);
    w.string(T.Label_name, l.name);
    w.string(T.Label_value, l.value);
    w.join(at);
  }
}
