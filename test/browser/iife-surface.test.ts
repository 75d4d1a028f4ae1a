// The script tag mangles internal property names (rollup.config.js INTERNAL_PROPS). This runs
// the built file and uses its public surface by name: a public name in that list (or one
// terser renames for another reason) breaks a read or a call here. It also checks the list
// itself against what it must not and must contain: no member name reachable from the script
// tag's published types (dist/esm/browser/iife.d.ts), and only names that are properties in
// the bundled sources and that terser really renames. Needs `npm run build`.
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { requireBuild, ROOT } from '../helpers/dist.js';

requireBuild('dist/skywalking-tracing.iife.min.js', 'dist/skywalking-tracing.iife.min.js.map', 'dist/esm/browser/iife.d.ts');
// The list as the build uses it (a plain JS module, so imported by path, untyped).
const { INTERNAL_PROPS } = (await import(ROOT + 'rollup.config.js')) as { INTERNAL_PROPS: string[] };

type Any = Record<string, any>;

function load(): { sw: Any; calls: Array<{ url: string; init: Any }>; page: Any } {
  const calls: Array<{ url: string; init: Any }> = [];
  const fetch = async (url: string, init: Any) => {
    calls.push({ url: String(url), init });
    return new Response('{}');
  };
  const context = vm.createContext({ fetch, URL, Headers, Response, TextEncoder, TextDecoder, AbortController, AbortSignal, crypto, setTimeout, clearTimeout, console, Promise, Map, Set, WeakMap, Symbol, btoa });
  vm.runInContext(readFileSync(ROOT + 'dist/skywalking-tracing.iife.min.js', 'utf8'), context);
  return { sw: context.SkyWalking, calls, page: context };
}

describe('script tag: public names survive mangling', () => {
  it('agent, tracer, context, span and the reported segment keep their documented names', async () => {
    const { sw, calls, page } = load();
    expect(Object.keys(sw).sort()).toEqual(['currentAgent', 'flush', 'monitor', 'start']);
    expect(sw.monitor.keys).toContain('webVitals');
    const segments: Any[] = [];
    const agent = sw.start({ service: 'web', serviceInstance: '1.0', propagateTo: 'api.example.com', reporter: { report: (s: Any) => segments.push(s), flush: async () => {}, shutdown: async () => {} } });
    expect(sw.currentAgent()).toBe(agent);
    for (const k of ['tracer', 'reporter', 'flush', 'shutdown', 'withSpan', 'runInSpan', 'reportError', 'setPagePath']) expect(agent).toHaveProperty(k);
    const tracer = agent.tracer;
    expect(tracer.service).toBe('web');
    expect(tracer.serviceInstance).toBe('1.0');
    expect(Object.keys(tracer.limits).sort()).toEqual(['maxLogValueLength', 'maxLogsPerSpan', 'maxOperationNameLength', 'maxSpansPerSegment', 'maxTagValueLength', 'maxTagsPerSpan']);
    expect(Object.keys(tracer.stats).sort()).toEqual(['droppedLogs', 'droppedSpans', 'droppedTags', 'reportedSegments', 'reporterErrors', 'truncatedValues', 'unsampledSegments']);

    // A user span around a request: the request (fetch with an init method) is its child and carries sw8.
    await agent.withSpan('checkout', (span: Any) => {
      expect(span.operationName).toBe('checkout');
      span.tag('k', 'v').log({ event: 'e' }).setComponent(10000).setLayer('Http');
      return page.fetch('https://api.example.com/cart?token=x', { method: 'post' });
    });
    expect(calls[0]!.init.headers.get('sw8')).toMatch(/^1-/);
    expect(segments).toHaveLength(1);
    const seg = segments[0]!;
    expect(Object.keys(seg).sort()).toEqual(['isSizeLimited', 'service', 'serviceInstance', 'spans', 'traceId', 'traceSegmentId']);
    const [local, exit] = seg.spans;
    expect(Object.keys(exit).sort()).toEqual(['componentId', 'endTime', 'isError', 'logs', 'operationName', 'parentSpanId', 'peer', 'refs', 'skipAnalysis', 'spanId', 'spanLayer', 'spanType', 'startTime', 'tags'].sort());
    expect(local).toMatchObject({ operationName: 'checkout', spanType: 'Local', componentId: 10000, tags: [{ key: 'k', value: 'v' }] });
    expect(exit).toMatchObject({ operationName: '/cart', spanType: 'Exit', parentSpanId: 0, peer: 'api.example.com:443', spanLayer: 'Http', componentId: 10001 });
    expect(exit.tags).toEqual([
      { key: 'http.method', value: 'POST' },
      { key: 'url', value: 'https://api.example.com/cart?token=***' },
      { key: 'http.status_code', value: '200' },
    ]);

    // The context and span API by hand; the context option `endpoint` reaches sw8 field 7.
    const ctx = tracer.createTracingContext({ endpoint: '/page' });
    for (const k of ['traceId', 'segmentId', 'isSampled', 'isFinished', 'limits']) expect(ctx).toHaveProperty(k);
    const headers: Record<string, string> = {};
    const exitSpan = ctx.createExitSpan('/x', null, 'h:1', { inject: (k: string, v: string) => (headers[k] = v) });
    expect(atob(headers.sw8!.split('-')[6]!)).toBe('/page');
    for (const k of ['spanId', 'parentSpanId', 'type', 'startTime', 'endTime', 'operationName', 'peer', 'layer', 'componentId', 'isError', 'isRecording', 'ended'])
      expect(exitSpan).toHaveProperty(k);
    expect(ctx.activeSpan()).toBe(exitSpan);
    exitSpan.error(new Error('boom')).setOperationName('/y');
    exitSpan.end();
    expect(ctx.isFinished).toBe(true);
    expect(segments[1].spans[0]).toMatchObject({ operationName: '/y', isError: true, peer: 'h:1' });
    await agent.shutdown(100);
  });

  it('the page reporter keeps its stats names', async () => {
    const { sw } = load();
    const agent = sw.start({ service: 'web', protocol: 'http', flushIntervalMs: 60_000 });
    agent.tracer.createTracingContext().createLocalSpan('a').end();
    expect(agent.reporter.stats).toEqual({ sent: 0, dropped: 0, failedSends: 0, queued: 1 });
    await agent.flush(1000);
    expect(agent.reporter.stats).toMatchObject({ sent: 1, queued: 0 });
    await agent.shutdown(100);
  });
});

/**
 * Types the agent and the monitor pass each other inside the bundle: users never read them
 * (documented "Internal: not part of the stable API"), and both sides are mangled alike.
 */
const BUNDLE_PRIVATE_TYPES = ['MonitorContext'];

/**
 * Every property name a user of the script tag can read, write or pass: the members of every
 * type reachable from its published declarations (options, agent, tracer, context, span, the
 * reported segment, stats), private and protected members and library (DOM, ES) types aside.
 */
function publicMemberNames(): Set<string> {
  const entry = ROOT + 'dist/esm/browser/iife.d.ts';
  const program = ts.createProgram([entry], { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [] });
  const checker = program.getTypeChecker();
  const ours = (d: ts.Declaration) => d.getSourceFile().fileName.startsWith(ROOT + 'dist/');
  const hidden = (d: ts.Declaration) => (ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0;
  const names = new Set<string>();
  const seen = new Set<ts.Type>();
  const visitSignature = (sig: ts.Signature) => {
    for (const p of sig.getParameters()) visit(checker.getTypeOfSymbol(p));
    visit(sig.getReturnType());
  };
  function visit(type: ts.Type): void {
    if (seen.has(type)) return;
    seen.add(type);
    if (type.isUnionOrIntersection()) return type.types.forEach(visit);
    if (!(type.flags & ts.TypeFlags.Object)) return;
    if ((type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference) checker.getTypeArguments(type as ts.TypeReference).forEach(visit);
    const symbol = type.getSymbol();
    const decls = symbol?.declarations ?? [];
    if ((decls.length > 0 && !decls.some(ours)) || BUNDLE_PRIVATE_TYPES.includes(symbol?.name ?? '')) return;
    for (const prop of checker.getPropertiesOfType(type)) {
      const pd = prop.declarations ?? [];
      if (pd.length > 0 && (pd.every(hidden) || !pd.some(ours))) continue;
      names.add(prop.name);
      visit(checker.getTypeOfSymbol(prop));
    }
    type.getCallSignatures().forEach(visitSignature);
    type.getConstructSignatures().forEach(visitSignature);
    for (const info of checker.getIndexInfosOfType(type)) visit(info.type);
  }
  for (const exported of checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!)) {
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    names.add(exported.name);
    visit(checker.getTypeOfSymbol(target));
    visit(checker.getDeclaredTypeOfSymbol(target));
  }
  return names;
}

/** Property names (members, accesses, object keys, destructured keys) in the sources the bundle was built from (its map embeds them). */
function bundledPropertyNames(): Set<string> {
  const map = JSON.parse(readFileSync(ROOT + 'dist/skywalking-tracing.iife.min.js.map', 'utf8')) as { sources: string[]; sourcesContent: string[] };
  const names = new Set<string>();
  const add = (n: ts.Node | undefined) => n && (ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) && names.add(n.text);
  const visit = (n: ts.Node): void => {
    if (ts.isPropertyAccessExpression(n)) add(n.name);
    else if (ts.isPropertyDeclaration(n) || ts.isMethodDeclaration(n) || ts.isPropertyAssignment(n) || ts.isShorthandPropertyAssignment(n)) add(n.name);
    else if (ts.isGetAccessor(n) || ts.isSetAccessor(n) || ts.isPropertySignature(n) || ts.isMethodSignature(n)) add(n.name);
    else if (ts.isParameter(n) && ts.isParameterPropertyDeclaration(n, n.parent)) add(n.name);
    else if (ts.isBindingElement(n) && ts.isObjectBindingPattern(n.parent)) add(n.propertyName ?? n.name);
    ts.forEachChild(n, visit);
  };
  map.sources.forEach((source, i) => visit(ts.createSourceFile(source, map.sourcesContent[i]!, ts.ScriptTarget.Latest, true)));
  return names;
}

describe('script tag: the mangle list', () => {
  it('names no member a user of the script tag reads, writes or passes', () => {
    const pub = publicMemberNames();
    // The walk reaches what the tests above use by name (a check of the check).
    for (const k of ['endpoint', 'maxTagsPerSpan', 'propagateTo', 'withSpan', 'traceSegmentId', 'unsampledSegments', 'webVitals']) expect(pub).toContain(k);
    expect(INTERNAL_PROPS.filter((p) => pub.has(p)), 'public names in rollup.config.js INTERNAL_PROPS').toEqual([]);
  });

  it('names only properties of the bundle, each renamed in the built file', () => {
    const min = readFileSync(ROOT + 'dist/skywalking-tracing.iife.min.js', 'utf8');
    const props = bundledPropertyNames();
    const dead = INTERNAL_PROPS.filter((p) => !props.has(p));
    // A renamed name is gone from the output as a member (`.name`) and as an object key.
    const kept = INTERNAL_PROPS.filter((p) => new RegExp(`\\.${p}\\b|[{,]${p}:`).test(min));
    const noEffect = [...new Set([...dead, ...kept])];
    expect(noEffect, 'INTERNAL_PROPS names that are no property of the bundle, or that terser keeps').toEqual([]);
  });
});
