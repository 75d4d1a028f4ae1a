// The Node reporters (gRPC and HTTP to OAP). Interface fixed by the lead; the transport helper fills it.
import type { BatchReporterStats, Reporter } from '../../core/index.js';
import { NoopReporter } from '../../core/index.js';

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
  tls?: { ca?: string | Uint8Array; cert?: string | Uint8Array; key?: string | Uint8Array };
  /** Extra instance properties reported to ManagementService. */
  instanceProperties?: Record<string, string>;
  /** Send ManagementService instance properties and keepAlive (default true for grpc). */
  management?: boolean;
  maxQueueSize?: number;
  maxQueueBytes?: number;
  flushIntervalMs?: number;
}

/** A reporter to OAP with counters. */
export interface NodeReporter extends Reporter {
  readonly stats: BatchReporterStats;
}

/** Creates the reporter `start()` uses. */
export function createNodeReporter(_options: NodeReporterOptions): NodeReporter {
  const r = new NoopReporter();
  return Object.assign(r, { stats: { sent: 0, dropped: 0, failedSends: 0, queued: 0 } });
}
