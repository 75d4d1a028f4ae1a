import { describe, expect, it } from 'vitest';
import { resolveOptions, setDiagLogger } from '../../src/node/index.js';
import { globToRegExp } from '../../src/node/options.js';

describe('resolveOptions', () => {
  it('reads skywalking-backend-js environment names, and explicit options win', () => {
    const env = {
      SW_AGENT_NAME: 'env-svc',
      SW_AGENT_INSTANCE: 'env-1',
      SW_AGENT_COLLECTOR_BACKEND_SERVICES: 'oap-a:11800,oap-b:11800',
      SW_AGENT_AUTHENTICATION: 'tok',
      SW_AGENT_SECURE: 'true',
      SW_AGENT_DISABLE: 'false',
      SW_TRACE_IGNORE_PATH: '/health,/static/**',
      SW_HTTP_IGNORE_METHOD: 'options',
      SW_AGENT_SAMPLE_RATE: '0.25',
      SW_AGENT_LOGGING_LEVEL: 'debug',
    };
    const fromEnv = resolveOptions({}, env);
    expect(fromEnv).toMatchObject({ service: 'env-svc', serviceInstance: 'env-1', collector: 'oap-a:11800', authentication: 'tok', secure: true, enabled: true, sampleRate: 0.25, logLevel: 'debug' });
    expect(fromEnv.ignorePath('/health')).toBe(true);
    expect(fromEnv.ignorePath('/static/js/app.js')).toBe(true);
    expect(fromEnv.ignorePath('/api')).toBe(false);
    expect(fromEnv.ignoreMethods.has('OPTIONS')).toBe(true);
    const explicit = resolveOptions({ service: 'mine', collector: 'c:1', secure: false, enabled: false }, env);
    expect(explicit).toMatchObject({ service: 'mine', collector: 'c:1', secure: false, enabled: false });
    expect(resolveOptions({}, { SW_AGENT_DISABLE: 'true' }).enabled).toBe(false);
  });

  it('replaces invalid values by defaults with one diagnostic each, and never throws', () => {
    const warnings: string[] = [];
    setDiagLogger({ error: () => {}, warn: (m) => warnings.push(m), info: () => {}, debug: () => {} }, 'warn');
    const o = resolveOptions({ service: 's', sampleRate: 7, protocol: 'carrier-pigeon' as 'grpc', errorStatusThreshold: -1 }, { SW_AGENT_MAX_BUFFER_SIZE: 'lots' });
    setDiagLogger(undefined, 'none');
    expect(o).toMatchObject({ sampleRate: 1, protocol: 'grpc', errorStatusThreshold: 400, maxBufferSize: 10_000 });
    expect(warnings.length).toBeGreaterThanOrEqual(4);
    expect(resolveOptions({}, {}).service).toBeTruthy();
    warnings.length = 0;
    setDiagLogger({ error: () => {}, warn: (m) => warnings.push(m), info: () => {}, debug: () => {} }, 'warn');
    const p = resolveOptions({ service: 's', propagateTo: 5 as never }, {});
    const q = resolveOptions({ service: 's', propagateTo: ['ok.example', 7 as never] }, {});
    setDiagLogger(undefined, 'none');
    // A propagateTo of the wrong type means someone wanted to restrict sw8: nowhere, not everywhere.
    expect(p.propagateTo(new URL('http://any.example'))).toBe(false);
    expect(q.propagateTo(new URL('http://ok.example'))).toBe(true);
    expect(q.propagateTo(new URL('http://other.example'))).toBe(false);
    expect(warnings.filter((w) => w.includes('propagateTo'))).toHaveLength(2);
  });

  it('says what is wrong with limits, lists, flags, properties and grpcClient, and keeps defaults', () => {
    const warnings: string[] = [];
    setDiagLogger({ error: () => {}, warn: (m) => warnings.push(m), info: () => {}, debug: () => {} }, 'warn');
    const o = resolveOptions(
      {
        service: 's',
        limits: { maxSpansPerSegment: 0, maxTagsPerSpan: Number.NaN, maxTagValueLength: '9' as never, maxLogsPerSpan: 20.7, maxSpans: 5 } as never,
        instanceProperties: { team: 'pay', replicas: 3, on: true, nested: { a: 1 } as never, none: null as never } as never,
        grpcClient: 'grpcjs' as never,
        ignorePaths: 42 as never,
        ignoreMethods: ['head', 7 as never, ''],
        ignoreSuffixes: '.png, .gif' as never,
        secure: 'yes' as never,
        instrument: { fetch: false, http: false } as never,
        reporter: {} as never,
      },
      {},
    );
    setDiagLogger(undefined, 'none');
    expect(o.limits).toEqual({ maxLogsPerSpan: 20 });
    expect(o.instanceProperties).toEqual({ team: 'pay', replicas: '3', on: 'true' });
    expect(o.grpcClient).toBe('http2');
    expect(o.ignorePath('/anything')).toBe(false);
    expect([...o.ignoreMethods]).toEqual(['HEAD']);
    expect(o.ignoreSuffixes).toEqual(['.png', '.gif']);
    expect(o.secure).toBe(false);
    expect(o.instrument).toEqual({ httpServer: true, httpClient: true, fetch: false, pg: true, mysql: true, mysql2: true, ioredis: true, redis: true, amqplib: true, grpc: true, pino: true, winston: true, bunyan: true });
    expect(o.reporter).toBeUndefined();
    const said = (s: string) => warnings.filter((w) => w.includes(s)).length;
    for (const s of ['limits.maxSpansPerSegment', 'limits.maxTagsPerSpan', 'limits.maxTagValueLength', 'limits field ignored: "maxSpans"', 'instanceProperties.nested', 'instanceProperties.none', 'grpcClient', 'ignorePaths', 'ignoreMethods', 'secure', 'instrument field ignored: "http"', 'reporter']) expect(said(s), s).toBe(1);
    expect(warnings).toHaveLength(12);
    warnings.length = 0;
    setDiagLogger({ error: () => {}, warn: (m) => warnings.push(m), info: () => {}, debug: () => {} }, 'warn');
    const l = resolveOptions({ service: 's', limits: 'many' as never }, {});
    setDiagLogger(undefined, 'none');
    expect(l.limits).toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining('limits must be an object')]);
  });

  it('defaults the collector to the protocol\'s OAP port: 11800 gRPC, 12800 HTTP', () => {
    expect(resolveOptions({ service: 's' }, {}).collector).toBe('127.0.0.1:11800');
    expect(resolveOptions({ service: 's', protocol: 'http' }, {}).collector).toBe('127.0.0.1:12800');
    expect(resolveOptions({ service: 's' }, { SW_AGENT_PROTOCOL: 'http' }).collector).toBe('127.0.0.1:12800');
    expect(resolveOptions({ service: 's', protocol: 'http', collector: 'oap:8080' }, {}).collector).toBe('oap:8080');
  });

  it('limits sw8 to the configured destinations', () => {
    const o = resolveOptions({ service: 's', propagateTo: ['api.internal', 'http://10.0.0.5:8080', /\.svc\.cluster\.local/] }, {});
    expect(o.propagateTo(new URL('http://api.internal/x'))).toBe(true);
    expect(o.propagateTo(new URL('http://10.0.0.5:8080/x'))).toBe(true);
    expect(o.propagateTo(new URL('http://10.0.0.5:9090/x'))).toBe(false);
    expect(o.propagateTo(new URL('http://orders.svc.cluster.local/x'))).toBe(true);
    expect(o.propagateTo(new URL('https://partner.example/x'))).toBe(false);
    expect(resolveOptions({ service: 's' }, {}).propagateTo(new URL('https://any.example'))).toBe(true);
    expect(resolveOptions({ service: 's', propagateTo: [] }, {}).propagateTo(new URL('https://any.example'))).toBe(false);
    const wild = resolveOptions({ service: 's', propagateTo: ['*.svc.local', 'not a host', /api/g] }, {});
    expect(wild.propagateTo(new URL('http://orders.svc.local/x'))).toBe(true);
    expect(wild.propagateTo(new URL('http://svc.local.evil/x'))).toBe(false);
    // A /g RegExp matches every time (test() would otherwise resume at lastIndex).
    for (let i = 0; i < 3; i++) expect(wild.propagateTo(new URL('http://api.example/x'))).toBe(true);
  });

  it('matches globs segment-wise', () => {
    expect(globToRegExp('/a/*').test('/a/b')).toBe(true);
    expect(globToRegExp('/a/*').test('/a/b/c')).toBe(false);
    expect(globToRegExp('/a/**').test('/a/b/c')).toBe(true);
    expect(globToRegExp('/v?/x').test('/v1/x')).toBe(true);
  });

  describe('first contact: every mistake is named once', () => {
    function capture(fn: () => void): string[] {
      const warnings: string[] = [];
      setDiagLogger({ error: () => {}, warn: (m) => warnings.push(m), info: () => {}, debug: () => {} }, 'warn');
      try {
        fn();
      } finally {
        setDiagLogger(undefined, 'none');
      }
      return warnings;
    }

    it('names unknown option keys in one diagnostic, with the closest known option', () => {
      const w = capture(() => resolveOptions({ serviceName: "orders", colector: "oap:11800", collectorAddress: "oap:11800", zzzqqq: 1 } as never, {}));
      const unknown = w.filter((m) => m.includes('unknown option'));
      expect(unknown).toHaveLength(1);
      expect(unknown[0]).toContain('"serviceName" (did you mean "service"?)');
      expect(unknown[0]).toContain('"colector" (did you mean "collector"?)');
      expect(unknown[0]).toContain('"collectorAddress" (did you mean "collector"?)');
      expect(unknown[0]).toContain('"zzzqqq"');
      expect(capture(() => resolveOptions({ service: 's', collector: 'oap:11800', logLevel: 'warn' }, {}))).toEqual([]);
    });

    it('checks the keys of tls, limits and instrument', () => {
      const w = capture(() =>
        resolveOptions({ service: 's', tls: { ca: 'x', crt: 'y' } as never, limits: { maxSpanPerSegment: 5 } as never, instrument: { fetsh: false } as never }, {}),
      );
      expect(w.filter((m) => m.includes('"crt" (did you mean "cert"?)'))).toHaveLength(1);
      expect(w.filter((m) => m.includes('"maxSpanPerSegment" (did you mean "maxSpansPerSegment"?)'))).toHaveLength(1);
      expect(w.filter((m) => m.includes('"fetsh" (did you mean "fetch"?)'))).toHaveLength(1);
      expect(capture(() => resolveOptions({ service: 's', tls: 'ca.pem' as never }, {}))).toEqual([expect.stringContaining('option tls must be an object')]);
    });

    it('names an invalid logLevel (option or environment) with the valid levels and the closest', () => {
      let level = '';
      const w = capture(() => (level = resolveOptions({ service: 's', logLevel: 'debugg' as never }, {}).logLevel));
      expect(level).toBe('warn');
      expect(w).toHaveLength(1);
      expect(w[0]).toContain('"debugg"');
      expect(w[0]).toContain('none, error, warn, info, debug');
      expect(w[0]).toContain('did you mean "debug"');
      const e = capture(() => resolveOptions({ service: 's' }, { SW_AGENT_LOGGING_LEVEL: 'debugg' }));
      expect(e).toEqual([expect.stringMatching(/SW_AGENT_LOGGING_LEVEL "debugg" is not a level.*did you mean "debug"/)]);
      expect(capture(() => resolveOptions({ service: 's', logLevel: 'INFO' as never }, { SW_AGENT_LOGGING_LEVEL: 'warning' }))).toEqual([]);
    });

    it('takes host and port from a URL given to gRPC, with one diagnostic; https means TLS unless told otherwise', () => {
      let o = resolveOptions({ service: 's' }, {});
      const w = capture(() => (o = resolveOptions({ service: 's', collector: 'http://oap:11800' }, {})));
      expect(o.collector).toBe('oap:11800');
      expect(o.secure).toBe(false);
      expect(w).toEqual([expect.stringMatching(/gRPC takes host:port.*using oap:11800.*11800.*12800/)]);
      capture(() => (o = resolveOptions({ service: 's' }, { SW_AGENT_COLLECTOR_BACKEND_SERVICES: 'https://oap.example.com/x,other:11800' })));
      expect(o).toMatchObject({ collector: 'oap.example.com:443', secure: true });
      capture(() => (o = resolveOptions({ service: 's', collector: 'https://oap:11800', secure: false }, {})));
      expect(o).toMatchObject({ collector: 'oap:11800', secure: false });
      capture(() => (o = resolveOptions({ service: 's', collector: 'http://oap' }, {})));
      expect(o.collector).toBe('oap:11800');
      // The REST protocol takes base URLs as they are.
      expect(capture(() => (o = resolveOptions({ service: 's', protocol: 'http', collector: 'http://oap:12800' }, {})))).toEqual([]);
      expect(o.collector).toBe('http://oap:12800');
    });

    it('maps skywalking-backend-js variables, names the ones that mean nothing here and unknown SW_* names', () => {
      let o = resolveOptions({ service: 's' }, {});
      const w = capture(
        () =>
          (o = resolveOptions(
            {},
            {
              SW_AGENT_NAME: 'svc',
              SW_AGENT_DISABLE_PLUGINS: 'HttpPlugin, MySQL,pg,mongoose',
              SW_SQL_TRACE_PARAMETERS: 'true',
              SW_SQL_PARAMETERS_MAX_LENGTH: '100',
              SW_COLD_ENDPOINT: 'true',
              SW_AGENT_TRACE_TIMEOUT: '5000',
              SW_MONGO_TRACE_PARAMETERS: 'true',
              SW_AWS_LAMBDA_FLUSH: '1',
              SW_AGENT_NAM: 'typo',
              PATH: '/bin',
            },
          )),
      );
      // SW_AGENT_DISABLE_PLUGINS turns the named libraries' instrumentations off.
      expect(o.instrument).toMatchObject({ httpServer: false, httpClient: false, fetch: true, mysql: false, pg: false, mysql2: true, redis: true });
      expect([...o.disablePlugins].sort()).toEqual(['http', 'mongoose', 'mysql', 'pg']);
      expect(o).toMatchObject({ sqlTraceParameters: true, sqlParametersMaxLength: 100 });
      expect(w).toHaveLength(2);
      const ignored = w.find((m) => m.includes('skywalking-backend-js'))!;
      for (const v of ['SW_COLD_ENDPOINT', 'SW_AGENT_TRACE_TIMEOUT', 'SW_MONGO_TRACE_PARAMETERS', 'SW_AWS_LAMBDA_FLUSH']) expect(ignored).toContain(v);
      expect(w.find((m) => m.includes('unknown environment variable'))).toContain('"SW_AGENT_NAM" (did you mean "SW_AGENT_NAME"?)');
      expect(resolveOptions({ service: 's' }, { SW_DISABLE: 'true' }).enabled).toBe(false);
      expect(resolveOptions({ service: 's' }, {})).toMatchObject({ sqlTraceParameters: false, sqlParametersMaxLength: 512 });
    });

    it('takes backend-js plugin names and library names in disablePlugins, and names the unknown ones', () => {
      let o = resolveOptions({ service: 's' }, {});
      const w = capture(() => (o = resolveOptions({ service: 's', disablePlugins: ['fetch', 'IORedisPlugin', 'AMQPLib', 'https', 'mysqll'] }, {})));
      expect([...o.disablePlugins].sort()).toEqual(['amqplib', 'fetch', 'http', 'ioredis']);
      expect(o.instrument).toMatchObject({ httpServer: false, httpClient: false, fetch: false, ioredis: false, redis: true, pg: true });
      expect(w).toEqual([expect.stringContaining('"mysqll" (did you mean "mysql"?)')]);
      const infos: string[] = [];
      setDiagLogger({ error: () => {}, warn: () => {}, info: (m) => infos.push(m), debug: () => {} }, 'info');
      resolveOptions({ service: 's', disablePlugins: ['http', 'pg', 'mongodb'] }, {});
      setDiagLogger(undefined, 'none');
      expect(infos).toEqual([expect.stringContaining('mongodb not instrumented in this version')]);
    });
  });
});
