// The platform-free log model: bounded LogData records, levels, and bytes that protobufjs
// decodes to the same record as the JSON OAP's POST /v3/logs reads.
import { describe, expect, it } from 'vitest';
import { LOG_LIMITS, makeLogData, parseLogLevel, parseLogThreshold, atLeast, safeJson } from '../../src/core/index.js';
import { ProtoWriter } from '../../src/core/encode/proto-writer.js';
import { encodeLogData } from '../../src/core/log/encode.js';
import { decodeAs, protoRoot } from '../helpers/proto.js';

const origin = { service: 'svc', serviceInstance: 'svc-1' };
const trace = { traceId: 't'.repeat(32), traceSegmentId: 's'.repeat(32), spanId: 2 };

describe('LogData records', () => {
  it('text body, level and logger tags, endpoint and trace context; bytes and JSON agree', () => {
    const log = makeLogData({ level: 'warn', message: 'disk almost full', logger: 'pino', timestamp: 1_700_000_000_001 }, { ...origin, endpoint: 'GET:/a', traceContext: trace });
    expect(log).toEqual({
      timestamp: 1_700_000_000_001,
      service: 'svc',
      serviceInstance: 'svc-1',
      endpoint: 'GET:/a',
      body: { type: 'text', text: { text: 'disk almost full' } },
      traceContext: trace,
      tags: { data: [{ key: 'level', value: 'WARN' }, { key: 'logger', value: 'pino' }] },
    });
    const decoded = decodeAs('LogData', encodeLogData(new ProtoWriter(8), log));
    const type = protoRoot.lookupType('skywalking.v3.LogData');
    const fromJson = type.toObject(type.fromObject(JSON.parse(JSON.stringify(log))), { longs: Number, defaults: true, arrays: true });
    expect(type.verify(JSON.parse(JSON.stringify(log)))).toBeNull();
    expect(decoded).toEqual(fromJson);
    expect(decoded).toMatchObject({ endpoint: 'GET:/a', traceContext: trace, body: { text: { text: 'disk almost full' } } });
  });

  it('fields make a JSON body; cycles and BigInts never throw; everything is bounded', () => {
    const cyc: Record<string, unknown> = { n: 1n };
    cyc.self = cyc;
    const log = makeLogData({ level: 'error', message: 'x', fields: { user: 'u1', cyc, err: new Error('boom') } }, origin);
    expect(log.body.type).toBe('json');
    const body = JSON.parse((log.body as { json: { json: string } }).json.json);
    expect(body).toMatchObject({ message: 'x', user: 'u1', cyc: { n: '1', self: '[Circular]' }, err: { message: 'boom' } });
    expect(log.traceContext).toBeUndefined();
    const big = makeLogData(
      { level: 'info', message: 'm'.repeat(100_000), tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'.repeat(5000)])) },
      origin,
    );
    expect((big.body as { text: { text: string } }).text.text.length).toBe(LOG_LIMITS.maxBodyLength);
    expect(big.tags.data.length).toBe(LOG_LIMITS.maxTags);
    expect(big.tags.data.every((d) => d.value.length <= LOG_LIMITS.maxTagValueLength)).toBe(true);
    expect(decodeAs('LogData', encodeLogData(new ProtoWriter(), big)).body).toMatchObject({ type: 'text' });
    expect(safeJson({ a: () => 1, b: Symbol('x') })).toBe('{}');
  });

  it('levels: lenient names, thresholds, upper-case tags', () => {
    expect(parseLogLevel('WARNING')).toBe('warn');
    expect(parseLogLevel('critical')).toBe('fatal');
    expect(parseLogLevel('verbose')).toBe('trace');
    expect(parseLogLevel('nope')).toBeUndefined();
    expect(parseLogThreshold('OFF')).toBe('off');
    expect(atLeast('error', 'warn')).toBe(true);
    expect(atLeast('info', 'warn')).toBe(false);
    expect(atLeast('fatal', 'off')).toBe(false);
  });
});
