// The Node reporters: segments to OAP over gRPC (client-streaming collect) or HTTP (/v3/segments).
import type { BatchReporterStats, Reporter, SegmentObject } from '../../core/index.js';
import { BatchReporter, diag } from '../../core/index.js';
import { CompactQueue } from '../../core/compact-queue.js';
import { collectorAddress } from '../collector-address.js';
import { encodeSegmentWith } from '../../core/encode/segment-codec.js';
import { ScratchWriter } from './scratch-writer.js';
import { channelCredentials, loadTls, type PemSource } from './credentials.js';
import type { GrpcCaller } from './grpc-caller.js';
import { loadGrpcJs } from './grpc-js.js';
import { GrpcJsCaller, GrpcSegmentTransport } from './grpc-transport.js';
import { Http2Caller } from './h2-transport.js';
import { HttpSegmentTransport } from './http-transport.js';
import { withPortHint } from './port-hint.js';
import { grpcManagement, httpManagement, ManagementClient, type ManagementSender } from './management.js';
import { BrowserForwarder, grpcBrowserPlan, type BrowserForwardStats } from './browser-forwarder.js';
import type { TelemetryChannel } from './telemetry-channel.js';

/** Options of {@link createNodeReporter}. */
export interface NodeReporterOptions {
  service: string;
  serviceInstance: string;
  /** `host:port` of OAP's gRPC port (protocol 'grpc') or base URL / host:port of its REST port ('http'). */
  collector: string;
  protocol?: 'grpc' | 'http';
  /** Token sent as `authentication` metadata (gRPC) or header (HTTP). */
  authentication?: string;
  /** Use TLS. */
  secure?: boolean;
  /** PEM contents (or file paths) for TLS: custom CA, client certificate and key (mTLS). */
  tls?: { ca?: PemSource; cert?: PemSource; key?: PemSource };
  /** Extra instance properties reported to ManagementService. */
  instanceProperties?: Record<string, string>;
  /**
   * How segments are streamed: `http2` (default) writes each batch of the `collect` stream
   * in one piece over node:http2; `grpc-js` streams them through @grpc/grpc-js message by
   * message. Same bytes on the wire; `http2` costs several times less CPU per segment.
   */
  grpcClient?: 'http2' | 'grpc-js';
  /** Send ManagementService instance properties and keepAlive (gRPC, or OAP's REST `/v3/management/*` with protocol 'http'). Default true. */
  management?: boolean;
  /** Heartbeat period, ms. Default 30,000. */
  keepAliveIntervalMs?: number;
  /** Most segments queued. Default 10,000. */
  maxQueueSize?: number;
  /** Most bytes of encoded segments queued. Default 4 MiB. */
  maxQueueBytes?: number;
  /** Batch delay, ms. Default 1000. */
  flushIntervalMs?: number;
  /** Per-send deadline, ms. Default 10,000. */
  sendTimeoutMs?: number;
  /** First retry delay after a failed send, ms; doubles per failure, with jitter. Default 1000. */
  retryDelayMs?: number;
  /** Longest retry delay, ms. Default 30,000. */
  maxRetryDelayMs?: number;
}

interface QueueSettings {
  maxBatchSize: number;
  concurrency: number;
  maxQueueSize: number;
  maxQueueBytes: number;
  flushIntervalMs: number;
  sendTimeoutMs: number;
  retryDelayMs: number | undefined;
  maxRetryDelayMs: number | undefined;
}

/** A reporter to OAP with counters. */
export interface NodeReporter extends Reporter {
  readonly stats: BatchReporterStats;
  /**
   * Forwards browser perf data or error logs received at OAP's REST path `path`
   * (`/browser/perfData`, `/browser/errorLogs`, …) to OAP. Best effort; never throws.
   */
  forwardBrowserData?(path: string, items: unknown[]): void;
  /** Counters of {@link forwardBrowserData}: items forwarded and dropped. */
  readonly browserStats?: BrowserForwardStats;
  /** The connection meter and log reporters share. */
  readonly channel?: TelemetryChannel;
}

/** Creates the reporter `start()` uses: batched, bounded, retrying, never throwing. */
export function createNodeReporter(options: NodeReporterOptions): NodeReporter {
  const common: QueueSettings = {
    // Segments are small (a few hundred bytes): large batches keep up with busy services
    // with one call in flight.
    maxBatchSize: 2000,
    concurrency: 4,
    maxQueueSize: options.maxQueueSize ?? 10_000,
    // 4 MiB: with the collector down the queue is the agent's largest structure, and this
    // keeps it within the footprint budget (issue 14) whatever the segments' size. Typical
    // segments (200-500 bytes) fill the 10,000-segment count bound first.
    maxQueueBytes: options.maxQueueBytes ?? 4 * 1024 * 1024,
    flushIntervalMs: options.flushIntervalMs ?? 1000,
    sendTimeoutMs: options.sendTimeoutMs ?? 10_000,
    retryDelayMs: options.retryDelayMs,
    maxRetryDelayMs: options.maxRetryDelayMs,
  };
  if (options.protocol === 'http') return httpReporter(options, common);
  // start() has done this already; a direct caller may still pass a URL.
  const { collector, secureFromScheme } = collectorAddress(options.collector, 'grpc', (m) => diag.warn(m));
  return grpcReporter({ ...options, collector, secure: options.secure ?? secureFromScheme }, common);
}

/**
 * Segments to `/v3/segments` as JSON, management to `/v3/management/*`, browser data to
 * `/browser/*`, all over the transport's keep-alive sockets.
 */
function httpReporter(options: NodeReporterOptions, common: QueueSettings): NodeReporter {
  const scheme = options.secure ? 'https://' : 'http://';
  const base = /^https?:\/\//.test(options.collector) ? options.collector : scheme + options.collector;
  const headers: Record<string, string> = options.authentication ? { authentication: options.authentication } : {};
  const transport = new HttpSegmentTransport(base, headers, loadTls(options.tls));
  const utf8 = new TextEncoder();
  let scratch = new Uint8Array(4096);
  const batches = new BatchReporter<Uint8Array>({
    ...common,
    name: 'HTTP reporter',
    transport,
    queue: compactQueue('HTTP reporter', common),
    // UTF-8 bytes in a scratch buffer, copied into the queue's slabs at once: no string
    // and no buffer per queued segment. 3 bytes per UTF-16 unit is UTF-8's worst case.
    encode: (segment: SegmentObject) => {
      const json = JSON.stringify(segment);
      if (json.length * 3 > scratch.length) scratch = new Uint8Array(json.length * 3);
      return scratch.subarray(0, utf8.encodeInto(json, scratch).written);
    },
  });
  const browser = new BrowserForwarder((path, items) => transport.browserPlan(path, items), common);
  const management = options.management !== false ? startManagement(httpManagement((path, body, ms) => transport.postJson(path, body, ms)), options, common) : undefined;
  // The batches' shutdown closes the transport's sockets, which the others share.
  return new OapReporter(batches, browser, management, undefined, { postJson: (path, body, ms) => transport.postJson(path, body, ms) });
}

/** Segments, management and browser data over one gRPC connection (node:http2 or grpc-js). */
function grpcReporter(options: NodeReporterOptions, common: QueueSettings): NodeReporter {
  const caller: GrpcCaller = withPortHint(
    options.grpcClient === 'grpc-js'
      ? grpcJsCaller(options)
      : new Http2Caller({
          address: options.collector,
          secure: options.secure === true || options.tls !== undefined,
          authentication: options.authentication,
          tls: loadTls(options.tls),
        }),
    options.collector,
  );
  // Encodes into one scratch buffer; the compact queue copies each segment into its slabs.
  const writer = new ScratchWriter(4096);
  const batches = new BatchReporter<Uint8Array>({
    ...common,
    name: 'gRPC reporter',
    transport: new GrpcSegmentTransport(caller),
    queue: compactQueue('gRPC reporter', common),
    encode: (segment) => encodeSegmentWith(writer, segment),
  });
  const browser = new BrowserForwarder(grpcBrowserPlan(caller), common);
  const management = options.management !== false ? startManagement(grpcManagement(caller), options, common) : undefined;
  return new OapReporter(batches, browser, management, () => caller.close(), { grpc: caller });
}

/** The segment queue of both protocols: compact (slabs), bounded by count and bytes. */
function compactQueue(name: string, common: QueueSettings): CompactQueue {
  return new CompactQueue({ maxItems: common.maxQueueSize, maxBytes: common.maxQueueBytes, name: `${name} queue` });
}

/** What both protocols expose: the segment queue, browser forwarding, the heartbeat. */
class OapReporter<T> implements NodeReporter {
  constructor(
    private readonly batches: BatchReporter<T>,
    private readonly browser: BrowserForwarder,
    private readonly management: ManagementClient | undefined,
    private readonly close: () => void = () => {},
    readonly channel?: TelemetryChannel,
  ) {}

  get stats(): BatchReporterStats {
    return this.batches.stats;
  }

  get browserStats(): BrowserForwardStats {
    return this.browser.stats;
  }

  report(segment: SegmentObject): void {
    this.batches.report(segment);
  }

  forwardBrowserData(path: string, items: unknown[]): void {
    this.browser.forward(path, items);
  }

  flush(timeoutMs?: number): Promise<void> {
    return this.batches.flush(timeoutMs);
  }

  async shutdown(timeoutMs?: number): Promise<void> {
    this.management?.stop();
    await this.batches.shutdown(timeoutMs);
    this.close();
  }
}

/** Instance properties now and every 10th beat, keepAlive on the others; stopped by the reporter's shutdown. */
function startManagement(sender: ManagementSender, options: NodeReporterOptions, common: QueueSettings): ManagementClient {
  const client = new ManagementClient(sender, {
    service: options.service,
    serviceInstance: options.serviceInstance,
    properties: options.instanceProperties,
    intervalMs: options.keepAliveIntervalMs,
    timeoutMs: common.sendTimeoutMs,
  });
  client.start();
  return client;
}

function grpcJsCaller(options: NodeReporterOptions): GrpcJsCaller {
  const grpc = loadGrpcJs();
  const client = new grpc.Client(options.collector, channelCredentials(options.secure === true, options.tls), {
    'grpc.max_send_message_length': 50 * 1024 * 1024,
    // Our own batching retries whole batches; grpc-js's per-call retry buffering would
    // copy and track every streamed segment for nothing.
    'grpc.enable_retries': 0,
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
    'grpc.initial_reconnect_backoff_ms': 1000,
    'grpc.max_reconnect_backoff_ms': 30_000,
  });
  const token = options.authentication;
  return new GrpcJsCaller(client, () => {
    const m = new grpc.Metadata();
    if (token) m.set('authentication', token);
    m.set('agent-version', 'skywalking-tracing');
    return m;
  });
}
