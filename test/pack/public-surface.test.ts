// The public surface of every entry, held here as lists, so that a name added to or removed
// from an entry is a deliberate change (this file changes with it, and the review sees it):
// - the node and browser entries re-export every name of the core entry (design.md: "also
//   re-exports core"); they list them by hand, so a missed one fails here;
// - each entry exports exactly the names below, values and types apart;
// - internals stay out of every entry (the package imports them from their own modules).
// Read from the sources with the TypeScript checker (types included), and the values also
// from the modules themselves, so a name the checker saw wrong fails too. Needs no build.
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ENTRIES = {
  core: 'src/core/index.ts',
  node: 'src/node/index.ts',
  browser: 'src/browser/index.ts',
  'browser/monitor': 'src/browser/monitor/index.ts',
  collector: 'src/collector/index.ts',
} as const;
type Entry = keyof typeof ENTRIES;
interface Surface {
  values: string[];
  types: string[];
}

// prettier-ignore
const CORE: Surface = {
  values: [
    'AlwaysOnSampler', 'atLeast', 'BatchReporter', 'ComponentId', 'consoleDiagLogger', 'ConsoleReporter',
    'CORRELATION_MAX_KEYS', 'CORRELATION_MAX_VALUE_LENGTH', 'decodeBase64', 'decodeCorrelation', 'decodeSw8',
    'decodeSw8x', 'DEFAULT_LIMITS', 'diag', 'encodeBase64', 'encodeCorrelation', 'encodeSegment',
    'encodeSegmentCollection', 'encodeSw8', 'encodeSw8x', 'InMemoryReporter', 'levelTag', 'Log', 'LOG_LIMITS',
    'makeLogData', 'MAX_ID_LENGTH', 'MAX_OPERATION_NAME_LENGTH', 'MAX_SERVICE_NAME_LENGTH', 'METER_LIMITS',
    'MeterRegistry', 'NoopReporter', 'parseDiagLevel', 'parseLogLevel', 'parseLogThreshold', 'RandomIdGenerator',
    'RateLimitingSampler', 'RatioSampler', 'recordCarrier', 'safeJson', 'setDiagLogger', 'Span', 'SW8',
    'SW8_CORRELATION', 'SW8_MAX_LENGTH', 'SW8_X', 'systemClock', 'Tag', 'Tracer', 'TracingContext', 'TransportError',
  ],
  types: [
    'BatchReporterOptions', 'BatchReporterStats', 'BatchTransport', 'Clock', 'ContextSnapshot', 'CounterHandle',
    'CounterMode', 'CounterOptions', 'DiagLevel', 'DiagLogger', 'Extractable', 'HistogramHandle', 'IdGenerator',
    'Injectable', 'KeyStringValuePair', 'Limits', 'LogData', 'LogInput', 'LogLevel', 'LogObject', 'LogOrigin',
    'LogThreshold', 'LogTraceContext', 'MeterBucket', 'MeterLabel', 'MeterLabels', 'MeterOptions',
    'MeterRegistryOptions', 'MeterSample', 'RefType', 'Reporter', 'Sampler', 'SegmentObject', 'SegmentReference',
    'SendOptions', 'SpanLayer', 'SpanObject', 'SpanType', 'Sw8', 'Sw8Extension', 'TracerOptions', 'TracerStats',
    'TracingContextOptions',
  ],
};

/** What each runtime adds to the core. */
// prettier-ignore
const OWN: Record<Entry, Surface> = {
  core: { values: [], types: [] },
  node: {
    values: ['activeTrace', 'createIngestHandler', 'createNodeReporter', 'currentAgent', 'isSuppressed', 'resolveOptions', 'runSuppressed', 'start'],
    types: ['ActiveTrace', 'AgentReporter', 'BrowserForwardStats', 'IngestHandler', 'IngestHandlerOptions', 'NodeAgent', 'NodeAgentOptions', 'NodeReporter', 'NodeReporterOptions', 'ResolvedOptions'],
  },
  browser: {
    values: ['currentAgent', 'start'],
    types: ['BrowserAgent', 'BrowserAgentOptions', 'PropagateTo', 'UrlRule', 'UrlRules'],
  },
  'browser/monitor': { values: ['monitor'], types: ['Monitor', 'MonitorContext', 'MonitorOptions'] },
  collector: {
    values: ['CollectorListenError', 'DEFAULT_MAX_STORE_BYTES', 'segmentBytes', 'startCollector', 'TraceStore'],
    types: ['Collector', 'CollectorOptions', 'InstanceInfo', 'StoredTrace', 'TraceDetail', 'TraceProblem', 'TraceStoreOptions', 'TraceSummary'],
  },
};

/** Entries that re-export the whole core. */
const WITH_CORE: Entry[] = ['node', 'browser'];

/**
 * Internal names that once were public, or look like they could be: no entry exports them.
 * `BaseTracer` stays in the published types as the base class of `Tracer`, `ReportQueue` as
 * the type of `BatchReporter.queue`; the rest are stripped from them (`@internal`).
 */
// prettier-ignore
const INTERNAL = [
  'BaseTracer', 'TracerCore', 'ReportQueue', 'ReportQueueOptions', 'truncate', 'resolveLimits', 'numberOption',
  'REF_TYPE_NUMBER', 'SPAN_LAYER_NUMBER', 'SPAN_TYPE_NUMBER', 'globToRegExp', 'encodeLogData', 'encodeMeterData',
  'encodeMeterStream', 'MeterStreamHeader', 'ProtoWriter', 'SegmentContext', 'PageTracer', 'ContextHost', 'SpanOwner',
];

function expected(entry: Entry): Surface {
  const core = WITH_CORE.includes(entry) || entry === 'core' ? CORE : { values: [], types: [] };
  return { values: [...core.values, ...OWN[entry].values].sort(), types: [...core.types, ...OWN[entry].types].sort() };
}

/** Each entry's exports as the type checker sees them: values (anything with a runtime binding) and types. */
function readSurfaces(): Record<Entry, Surface> {
  const files = Object.values(ENTRIES).map((f) => root + f);
  const config = ts.getParsedCommandLineOfConfigFile(root + 'tsconfig.json', {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const program = ts.createProgram(files, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const out = {} as Record<Entry, Surface>;
  for (const [entry, file] of Object.entries(ENTRIES) as Array<[Entry, string]>) {
    const source = program.getSourceFile(root + file)!;
    const surface: Surface = { values: [], types: [] };
    for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(source)!)) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      // `export type { X }` of a class is a type-only export: no runtime binding.
      const typeOnly = symbol.declarations?.some((d) => ts.isTypeOnlyImportOrExportDeclaration(d)) ?? false;
      (target.flags & ts.SymbolFlags.Value && !typeOnly ? surface.values : surface.types).push(symbol.name);
    }
    surface.values.sort();
    surface.types.sort();
    out[entry] = surface;
  }
  return out;
}

const surfaces = readSurfaces();

describe('public surface', () => {
  for (const entry of WITH_CORE)
    it(`${entry} re-exports every name of the core`, () => {
      const all = new Set([...surfaces[entry].values, ...surfaces[entry].types]);
      const missing = [...surfaces.core.values, ...surfaces.core.types].filter((n) => !all.has(n));
      expect(missing, `src/${entry}/index.ts does not re-export these core names`).toEqual([]);
    });

  for (const entry of Object.keys(ENTRIES) as Entry[])
    it(`${entry} exports exactly its listed names (update the lists here with a deliberate change)`, async () => {
      expect(surfaces[entry], `${ENTRIES[entry]} (values and types)`).toEqual(expected(entry));
      // The modules themselves agree about the values.
      const mod = (await import(root + ENTRIES[entry])) as Record<string, unknown>;
      expect(Object.keys(mod).sort(), `${ENTRIES[entry]} at run time`).toEqual(expected(entry).values);
    });

  it('no entry exports an internal name', () => {
    for (const entry of Object.keys(ENTRIES) as Entry[]) {
      const leaked = [...surfaces[entry].values, ...surfaces[entry].types].filter((n) => INTERNAL.includes(n));
      expect(leaked, `${ENTRIES[entry]} exports internals`).toEqual([]);
    }
  });
});
