import { describe, expect, it } from 'vitest';
import { encodeSegment, encodeSegmentCollection } from '../../src/core/index.js';
import {
  decodeCommands,
  decodeInstancePing,
  decodeInstanceProperties,
  decodeSegmentCollection,
  decodeSegmentObject,
  encodeCommands,
  encodeMessage,
  protoRoot,
} from '../../src/server/index.js';
import { protoRoot as protoFromFiles } from '../helpers/proto.js';
import { makeTrace } from './fixtures.js';

describe('proto descriptor', () => {
  it('is the same protocol as the .proto files', () => {
    // Every message of the generated descriptor has the same fields (name, id, type) as proto/.
    for (const name of ['SegmentObject', 'SpanObject', 'SegmentReference', 'InstanceProperties', 'Commands', 'BrowserErrorLog', 'LogData', 'MeterData']) {
      const a = protoRoot().lookupType(`skywalking.v3.${name}`);
      const b = protoFromFiles.lookupType(`skywalking.v3.${name}`);
      const fields = (t: typeof a) => t.fieldsArray.map((f) => [f.name, f.id, f.type, f.repeated]);
      expect(fields(a), name).toEqual(fields(b));
    }
  });
});

describe('segment decoding', () => {
  it('decodes core-encoded segments back to the same JSON form', () => {
    const segs = makeTrace('pb');
    for (const s of segs) expect(decodeSegmentObject(encodeSegment(s))).toEqual(s);
    expect(decodeSegmentCollection(encodeSegmentCollection(segs))).toEqual(segs);
  });

  it('fills every field with its default when the bytes leave it out', () => {
    const bytes = encodeMessage('SegmentObject', { traceId: 't', spans: [{ spanId: 0, parentSpanId: -1 }] });
    expect(decodeSegmentObject(bytes)).toEqual({
      traceId: 't',
      traceSegmentId: '',
      service: '',
      serviceInstance: '',
      isSizeLimited: false,
      spans: [
        {
          spanId: 0,
          parentSpanId: -1,
          startTime: 0,
          endTime: 0,
          refs: [],
          operationName: '',
          peer: '',
          spanType: 'Entry',
          spanLayer: 'Unknown',
          componentId: 0,
          isError: false,
          tags: [],
          logs: [],
          skipAnalysis: false,
        },
      ],
    });
  });

  it('throws on malformed bytes', () => {
    expect(() => decodeSegmentObject(new Uint8Array([0x0a, 0xff]))).toThrow();
    expect(() => decodeSegmentCollection(new Uint8Array([0x0a, 0x05, 1]))).toThrow();
  });
});

describe('Commands and management messages', () => {
  it('encodes and decodes Commands', () => {
    expect(encodeCommands()).toHaveLength(0);
    expect(decodeCommands(encodeCommands())).toEqual([]);
    const cmds = [{ command: 'ProfileTaskQuery', args: [{ key: 'serialNumber', value: '1' }] }];
    expect(decodeCommands(encodeCommands(cmds))).toEqual(cmds);
  });

  it('decodes InstanceProperties and InstancePingPkg', () => {
    const props = encodeMessage('InstanceProperties', { service: 's', serviceInstance: 'i', properties: [{ key: 'language', value: 'NodeJS' }], layer: 'GENERAL' });
    expect(decodeInstanceProperties(props)).toEqual({ service: 's', serviceInstance: 'i', properties: [{ key: 'language', value: 'NodeJS' }], layer: 'GENERAL' });
    expect(decodeInstancePing(encodeMessage('InstancePingPkg', { service: 's', serviceInstance: 'i' }))).toEqual({ service: 's', serviceInstance: 'i', properties: [], layer: '' });
  });
});
