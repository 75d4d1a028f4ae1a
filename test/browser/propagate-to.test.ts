// One propagateTo rule set for Node and the browser (src/core/propagate-to.ts): hosts,
// `*.domain`, origins or URLs, RegExps, predicates; and how the browser adds its own origin.
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryReporter, decodeSw8 } from '../../src/core/index.js';
import { compilePropagateTo, compileUrlRules } from '../../src/core/propagate-to.js';
import { start, type BrowserAgent } from '../../src/browser/index.js';

const u = (s: string) => new URL(s);

describe('compilePropagateTo (Node and browser)', () => {
  it('bare hosts match any scheme and port on that host; host:port that port; *.domain its subdomains', () => {
    const warned: string[] = [];
    const t = compilePropagateTo(['api.example.com', 'API2.example.com:8443', '*.svc.local'], (m) => warned.push(m))!;
    expect(t(u('https://api.example.com/x'))).toBe(true);
    expect(t(u('http://api.example.com:8080/x'))).toBe(true);
    expect(t(u('https://api.example.com.evil/x'))).toBe(false);
    expect(t(u('https://api2.example.com:8443/x'))).toBe(true);
    expect(t(u('https://api2.example.com/x'))).toBe(false);
    expect(t(u('http://orders.svc.local/x'))).toBe(true);
    expect(t(u('http://svc.local/x'))).toBe(false);
    expect(t(u('http://svc.local.evil/x'))).toBe(false);
    expect(warned).toEqual([]);
  });

  it('origins and URLs count by origin only; one string, RegExp or predicate may stand alone', () => {
    const t = compilePropagateTo(['https://API.example.com:443/v1/', 'http://other.example:8080'])!;
    expect(t(u('https://api.example.com/a'))).toBe(true);
    expect(t(u('http://api.example.com/a'))).toBe(false);
    expect(t(u('http://other.example:8080/a'))).toBe(true);
    expect(t(u('http://other.example/a'))).toBe(false);
    expect(compilePropagateTo('api.example.com')!(u('https://api.example.com/x'))).toBe(true);
    expect(compilePropagateTo(/\.internal\.example\//)!(u('https://svc.internal.example/x'))).toBe(true);
    expect(compilePropagateTo((x: URL) => x.port === '9')!(u('http://a.example:9/'))).toBe(true);
  });

  it('unset is undefined (each runtime has its default); empty allows nothing; unusable entries are named once each', () => {
    expect(compilePropagateTo(undefined)).toBeUndefined();
    expect(compilePropagateTo([])!(u('https://a.example'))).toBe(false);
    const warned: string[] = [];
    const t = compilePropagateTo(['not a host', 42, 'http://[bad', 'ok.example', { toString: () => { throw new Error('x'); } }], (m) => warned.push(m))!;
    expect(t(u('http://ok.example/'))).toBe(true);
    expect(warned).toHaveLength(4);
    expect(warned[0]).toBe('propagateTo: "not a host" is not usable; ignored');
    warned.length = 0;
    expect(compilePropagateTo(['a b', 'c d'], (m) => warned.push(m))!(u('http://ok.example/'))).toBe(false);
    expect(warned).toEqual(['propagateTo: "a b" is not usable; ignored', 'propagateTo: "c d" is not usable; ignored', 'propagateTo has no usable entry']);
  });

  it('a global RegExp is used without its flag (test() would resume at lastIndex); a throwing predicate says no', () => {
    const t = compilePropagateTo([/api/g])!;
    for (let i = 0; i < 3; i++) expect(t(u('http://api.example/x'))).toBe(true);
    expect(compilePropagateTo(() => { throw new Error('no'); })!(u('http://a.example/'))).toBe(false);
    const ignore = compileUrlRules('/health', 'ignore', (s) => (x) => x.href.includes(s));
    expect([ignore(u('https://a.example/health/live')), ignore(u('https://a.example/api'))]).toEqual([true, false]);
  });
});

describe('browser propagateTo', () => {
  let agent: BrowserAgent | undefined;
  const g = globalThis as { location?: unknown; fetch: typeof fetch };
  const saved = g.fetch;
  afterEach(async () => {
    await agent?.shutdown(10);
    g.fetch = saved;
    delete g.location;
  });

  it('takes a bare host, as the Node agent does, and always the page origin', async () => {
    const sent: Array<[string, string | null]> = [];
    g.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      sent.push([String(input), new Headers(init?.headers).get('sw8')]);
      return new Response('ok');
    }) as typeof fetch;
    g.location = new URL('https://app.example/page');
    agent = start({ service: 'web', reporter: new InMemoryReporter(), propagateTo: 'api.example.com' });
    for (const url of ['https://api.example.com/a', 'http://api.example.com:8080/b', 'https://app.example/c', 'https://evil.example/d']) await fetch(url);
    expect(sent.map(([url, sw8]) => [url, decodeSw8(sw8 ?? undefined)?.parentService])).toEqual([
      ['https://api.example.com/a', 'web'],
      ['http://api.example.com:8080/b', 'web'],
      ['https://app.example/c', 'web'],
      ['https://evil.example/d', undefined],
    ]);
  });
});
