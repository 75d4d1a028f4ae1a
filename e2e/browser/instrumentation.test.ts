// fetch and XHR instrumentation edge cases in real Chromium, against the script tag: the
// document base URL, other libraries' patches around shutdown() and a second start(), a
// Request from another realm, XHR's own error semantics, and start() with bad options.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeSw8 } from '../../src/core/index.js';
import { eventually, launchChromium } from '../helpers/chromium.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startStaticServer, type StaticServer } from '../helpers/static-server.js';

let browser: Browser;
let app: StaticServer; // the page's origin, 127.0.0.1:P; localhost:P is the same server as another origin
let rx: Receiver;
let other: string;

type Agent = { flush(): Promise<void>; shutdown(): Promise<void> };
type W = Window & { SkyWalking: { start(o: object): Agent } };

beforeAll(async () => {
  [app, rx, browser] = await Promise.all([startStaticServer(), startReceiver(), launchChromium()]);
  other = `http://localhost:${app.port}`;
  const script = `<script src="${app.url}/dist/skywalking-tracing.iife.min.js"></script>`;
  app.page('/blank.html', `<!doctype html>${script}<body>blank</body>`);
  // Relative URLs on this page resolve against another origin, as the browser does it.
  app.page('/based.html', `<!doctype html><base href="${other}/elsewhere/">${script}<body>based</body>`);
  app.page('/frame.html', '<!doctype html><body>frame</body>');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await rx?.close();
});

beforeEach(() => {
  app.seen.length = 0;
});

async function open(path = '/blank.html'): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(app.url + path);
  return page;
}

const spansFor = (service: string, path: string) =>
  rx
    .segments()
    .filter((s) => s.service === service)
    .flatMap((s) => s.spans as Array<Record<string, any>>)
    .filter((span) => (span.tags ?? []).some((t: { key: string; value: string }) => t.key === 'url' && new URL(t.value).pathname === path));
const seen = (path: string) => app.seen.filter((s) => s.path === path);

describe('the document base URL', () => {
  it('relative fetch and XHR URLs resolve against <base href>: no sw8 to a foreign origin, no preflight, the right peer and url', async () => {
    const page = await open('/based.html');
    await page.evaluate(async (collector) => {
      const a = (window as unknown as W).SkyWalking.start({ service: 'based', serviceInstance: '1', collector });
      await fetch('items');
      await new Promise((r) => {
        const x = new XMLHttpRequest();
        x.open('GET', 'xhr-items');
        x.onloadend = r;
        x.send();
      });
      await a.flush();
      await a.shutdown();
    }, rx.url);
    for (const p of ['/elsewhere/items', '/elsewhere/xhr-items']) {
      expect(seen(p).map((s) => s.method), p).toEqual(['GET']);
      expect(seen(p)[0]!.headers.sw8, p).toBeUndefined();
      const [span] = await eventually(() => (spansFor('based', p).length ? spansFor('based', p) : undefined));
      expect(span!.peer).toBe(`localhost:${app.port}`);
      expect(span!.tags).toContainEqual({ key: 'url', value: `${other}${p}` });
    }
    await page.close();
  });
});

describe('other libraries and shutdown()', () => {
  it('a fetch and an XHR send wrapped after start() keep their wrappers; ours goes quiet, and a second agent\'s sw8 is the only one', async () => {
    const page = await open();
    const out = await page.evaluate(async (collector) => {
      const w = window as unknown as W;
      const xhr = (url: string) =>
        new Promise<void>((r) => {
          const x = new XMLHttpRequest();
          x.open('GET', url);
          x.onloadend = () => r();
          x.send();
        });
      const first = w.SkyWalking.start({ service: 'first', serviceInstance: '1', collector });
      // Another library patches both after the agent.
      const inner = window.fetch;
      const libFetch = function (this: unknown, i: RequestInfo | URL, o?: RequestInit) {
        return inner.call(this, i, o);
      };
      window.fetch = libFetch as typeof fetch;
      const send = XMLHttpRequest.prototype.send;
      const libSend = function (this: XMLHttpRequest, b?: Document | XMLHttpRequestBodyInit | null) {
        this.setRequestHeader('x-lib', '1');
        return send.call(this, b);
      };
      XMLHttpRequest.prototype.send = libSend;
      await first.shutdown();
      const kept = window.fetch === libFetch && XMLHttpRequest.prototype.send === libSend;
      await fetch('/echo/after-fetch');
      await xhr('/echo/after-xhr');
      const second = w.SkyWalking.start({ service: 'second', serviceInstance: '1', collector });
      await fetch('/echo/second-fetch');
      await xhr('/echo/second-xhr');
      await second.flush();
      await second.shutdown();
      return { kept, stillKept: window.fetch === libFetch && XMLHttpRequest.prototype.send === libSend };
    }, rx.url);
    expect(out).toEqual({ kept: true, stillKept: true });
    expect(seen('/echo/after-fetch')[0]!.headers.sw8).toBeUndefined();
    expect(seen('/echo/after-xhr')[0]!.headers).toMatchObject({ 'x-lib': '1' });
    expect(seen('/echo/after-xhr')[0]!.headers.sw8).toBeUndefined();
    for (const p of ['/echo/second-fetch', '/echo/second-xhr']) {
      const sw8 = seen(p)[0]!.headers.sw8 as string;
      expect(sw8, p).not.toContain(',');
      expect(decodeSw8(sw8)?.parentService, p).toBe('second');
    }
    expect(seen('/echo/second-xhr')[0]!.headers['x-lib']).toBe('1');
    expect(rx.segments().filter((s) => s.service === 'first')).toHaveLength(0);
    await page.close();
  });
});

describe('a Request from another realm', () => {
  it('keeps its method and headers, and is tagged with its own method and URL', async () => {
    const page = await open();
    await page.evaluate(async (collector) => {
      const a = (window as unknown as W).SkyWalking.start({ service: 'realm', serviceInstance: '1', collector });
      const frame = document.createElement('iframe');
      frame.src = '/frame.html';
      await new Promise((r) => ((frame.onload = r), document.body.append(frame)));
      const R = (frame.contentWindow as unknown as { Request: typeof Request }).Request;
      const req = new R(location.origin + '/echo/realm', { method: 'POST', body: 'x', headers: { 'x-keep': '1', 'content-type': 'text/plain', authorization: 'Bearer t' } });
      if (req instanceof Request) throw new Error('not another realm');
      await fetch(req);
      await a.flush();
      await a.shutdown();
    }, rx.url);
    const [s] = seen('/echo/realm');
    expect(s!.method).toBe('POST');
    expect(s!.headers).toMatchObject({ 'x-keep': '1', 'content-type': 'text/plain', authorization: 'Bearer t' });
    expect(decodeSw8(s!.headers.sw8 as string)?.parentService).toBe('realm');
    const [span] = await eventually(() => (spansFor('realm', '/echo/realm').length ? spansFor('realm', '/echo/realm') : undefined));
    expect(span!.tags).toContainEqual({ key: 'http.method', value: 'POST' });
    await page.close();
  });
});

describe('XHR keeps its native semantics', () => {
  it('failed synchronous sends, double sends and late headers behave as without the agent, with one span each', async () => {
    const page = await open();
    const out = await page.evaluate(async (collector) => {
      const a = (window as unknown as W).SkyWalking.start({ service: 'xhr-edge', serviceInstance: '1', collector });
      const name = (f: () => void) => {
        try {
          f();
          return 'ok';
        } catch (e) {
          return (e as Error).name;
        }
      };
      // A synchronous request to a closed port throws from send().
      const sync = new XMLHttpRequest();
      sync.open('GET', 'http://127.0.0.1:1/sync-down', false);
      const syncThrew = name(() => sync.send());
      // send() twice: the second throws InvalidStateError; headers after send too.
      const twice = new XMLHttpRequest();
      twice.open('GET', '/echo/twice');
      const done = new Promise((r) => (twice.onloadend = r));
      twice.send();
      const second = name(() => twice.send());
      const late = name(() => twice.setRequestHeader('sw8', 'late'));
      await done;
      // Never opened: the native errors.
      const unopened = name(() => new XMLHttpRequest().setRequestHeader('sw8', 'x'));
      await a.flush();
      await a.shutdown();
      return { syncThrew, second, late, unopened };
    }, rx.url);
    expect(out).toEqual({ syncThrew: 'NetworkError', second: 'InvalidStateError', late: 'InvalidStateError', unopened: 'InvalidStateError' });
    const [down] = await eventually(() => (spansFor('xhr-edge', '/sync-down').length ? spansFor('xhr-edge', '/sync-down') : undefined));
    expect(down!.isError).toBe(true);
    await eventually(() => spansFor('xhr-edge', '/echo/twice').length);
    expect(spansFor('xhr-edge', '/echo/twice')).toHaveLength(1);
    expect(seen('/echo/twice')[0]!.headers.sw8).not.toContain('late');
    await page.close();
  });

  it('keeps the caller\'s sw8-correlation and sw8-x, and a caller sw8 set before shutdown() and sent after', async () => {
    const page = await open();
    await page.evaluate(async (collector) => {
      const a = (window as unknown as W).SkyWalking.start({ service: 'xhr-held', serviceInstance: '1', collector });
      const run = (x: XMLHttpRequest) => new Promise((r) => ((x.onloadend = r), x.send()));
      const x1 = new XMLHttpRequest();
      x1.open('GET', '/echo/correlation');
      x1.setRequestHeader('sw8-correlation', 'a2V5:dmFsdWU=');
      x1.setRequestHeader('sw8-x', '0');
      x1.setRequestHeader('sw8', 'forged');
      await run(x1);
      const x2 = new XMLHttpRequest();
      x2.open('GET', '/echo/held');
      x2.setRequestHeader('sw8', 'caller-value');
      await a.shutdown();
      await run(x2);
    }, rx.url);
    const corr = seen('/echo/correlation')[0]!.headers;
    expect(corr['sw8-correlation']).toBe('a2V5:dmFsdWU=');
    expect(corr['sw8-x']).toBe('0');
    expect(decodeSw8(corr.sw8 as string)?.parentService).toBe('xhr-held');
    expect(seen('/echo/held')[0]!.headers.sw8).toBe('caller-value');
    await page.close();
  });
});

describe('start() options', () => {
  it('a bad collector does not throw; propagateTo is normalised to origins and may be one string', async () => {
    const page = await open();
    const out = await page.evaluate(async (other) => {
      const w = window as unknown as W;
      let threw = false;
      let a: Agent | undefined;
      try {
        // Upper case, default port and a path: the origin is what counts.
        a = w.SkyWalking.start({ service: 'opts', serviceInstance: '1', collector: 'http://[bad', propagateTo: other.toUpperCase().replace('HTTP://', 'http://') + '/v1/' });
      } catch {
        threw = true;
      }
      await fetch(other + '/propagated');
      await fetch('http://127.0.0.1:1/not-listed').catch(() => {});
      await a?.shutdown();
      return { threw, started: !!a };
    }, other);
    expect(out).toEqual({ threw: false, started: true });
    expect(decodeSw8(seen('/propagated').find((s) => s.method === 'GET')!.headers.sw8 as string)?.parentService).toBe('opts');
    await page.close();
  });
});
