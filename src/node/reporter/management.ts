import { networkInterfaces, hostname, type } from 'node:os';
import { diag } from '../../core/index.js';
import { ProtoWriter } from '../../core/encode/proto-writer.js';
import * as T from '../../core/encode/wire-tags.js';
import type { GrpcCaller } from './grpc-caller.js';

const PROPERTIES = '/skywalking.v3.ManagementService/reportInstanceProperties';
const KEEP_ALIVE = '/skywalking.v3.ManagementService/keepAlive';

/** Options of {@link ManagementClient}. */
export interface ManagementOptions {
  service: string;
  serviceInstance: string;
  /** Extra properties, reported with the standard ones. */
  properties?: Record<string, string>;
  /** Heartbeat period. Default 30,000 ms (the Java agent's). */
  intervalMs?: number;
  /** Deadline of each call. Default 10,000 ms. */
  timeoutMs?: number;
}

/** The standard instance properties: language, OS, host, process, every IPv4. */
export function instanceProperties(extra: Record<string, string> = {}): Array<[string, string]> {
  const out: Array<[string, string]> = [
    ['language', 'NodeJS'],
    ['OS Name', type()],
    ['hostname', hostname()],
    ['Process No.', String(process.pid)],
    ['Node.js version', process.version],
  ];
  for (const list of Object.values(networkInterfaces())) {
    for (const ni of list ?? []) if (ni.family === 'IPv4' && !ni.internal) out.push(['ipv4', ni.address]);
  }
  for (const [k, v] of Object.entries(extra)) if (typeof v === 'string') out.push([k, v]);
  return out;
}

/** `InstanceProperties` bytes: service, serviceInstance, properties. */
export function encodeInstanceProperties(service: string, instance: string, props: Array<[string, string]>): Uint8Array {
  const w = new ProtoWriter(512);
  w.string(T.InstanceProperties_service, service);
  w.string(T.InstanceProperties_serviceInstance, instance);
  for (const [k, v] of props) {
    const start = w.open(T.InstanceProperties_properties);
    w.string(T.KeyStringValuePair_key, k);
    w.string(T.KeyStringValuePair_value, v);
    w.join(start);
  }
  return w.finish();
}

/** `InstancePingPkg` bytes: service, serviceInstance. */
export function encodeInstancePing(service: string, instance: string): Uint8Array {
  const w = new ProtoWriter(128);
  w.string(T.InstancePingPkg_service, service);
  w.string(T.InstancePingPkg_serviceInstance, instance);
  return w.finish();
}

/** One ManagementService call, whatever carries it (gRPC, or OAP's REST port). */
export interface ManagementSender {
  reportProperties(service: string, serviceInstance: string, properties: Array<[string, string]>, timeoutMs: number): Promise<void>;
  keepAlive(service: string, serviceInstance: string, timeoutMs: number): Promise<void>;
}

/** ManagementService over gRPC: `reportInstanceProperties` and `keepAlive` on the reporter's channel. */
export function grpcManagement(caller: GrpcCaller): ManagementSender {
  return {
    reportProperties: (service, instance, props, timeoutMs) => caller.call(PROPERTIES, [encodeInstanceProperties(service, instance, props)], { timeoutMs, stream: false }),
    keepAlive: (service, instance, timeoutMs) => caller.call(KEEP_ALIVE, [encodeInstancePing(service, instance)], { timeoutMs, stream: false }),
  };
}

/**
 * ManagementService over OAP's REST port: `POST /v3/management/reportProperties` with an
 * InstanceProperties object and `POST /v3/management/keepAlive` with an InstancePingPkg,
 * both JSON (OAP's ManagementServiceHTTPHandler).
 */
export function httpManagement(post: (path: string, body: unknown, timeoutMs: number) => Promise<void>): ManagementSender {
  return {
    reportProperties: (service, serviceInstance, props, timeoutMs) =>
      post('/v3/management/reportProperties', { service, serviceInstance, properties: props.map(([key, value]) => ({ key, value })) }, timeoutMs),
    keepAlive: (service, serviceInstance, timeoutMs) => post('/v3/management/keepAlive', { service, serviceInstance }, timeoutMs),
  };
}

/**
 * ManagementService: instance properties at start and every 10th beat, keepAlive on the
 * others (the Java agent's cadence). Best effort: failures are logged once per outage.
 */
export class ManagementClient {
  private timer: NodeJS.Timeout | undefined;
  private tick = 0;
  private failing = false;
  private inFlight = false;

  constructor(
    private readonly sender: ManagementSender,
    private readonly options: ManagementOptions,
  ) {}

  start(): void {
    if (this.timer) return;
    this.beat();
    this.timer = setInterval(() => this.beat(), this.options.intervalMs ?? 30_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private beat(): void {
    if (this.inFlight) return;
    const { service, serviceInstance } = this.options;
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const properties = this.tick++ % 10 === 0;
    this.inFlight = true;
    let sent: Promise<void>;
    try {
      sent = properties
        ? this.sender.reportProperties(service, serviceInstance, instanceProperties(this.options.properties), timeoutMs)
        : this.sender.keepAlive(service, serviceInstance, timeoutMs);
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.then(
      () => {
        this.inFlight = false;
        this.failing = false;
      },
      (err: unknown) => {
        this.inFlight = false;
        // Properties must reach OAP at least once: retry them on the next beat.
        if (properties) this.tick = 0;
        if (!this.failing) diag.warn(`ManagementService ${properties ? 'reportInstanceProperties' : 'keepAlive'} failed: ${(err as Error)?.message ?? err}`);
        this.failing = true;
      },
    );
  }
}
