import { networkInterfaces, hostname, type } from 'node:os';
import { diag } from '../../core/index.js';
import { ProtoWriter } from '../../core/encode/proto-writer.js';
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

/** `InstanceProperties` bytes (fields 1 service, 2 serviceInstance, 3 properties). */
export function encodeInstanceProperties(service: string, instance: string, props: Array<[string, string]>): Uint8Array {
  const w = new ProtoWriter(512);
  w.string(10, service);
  w.string(18, instance);
  for (const [k, v] of props) {
    const start = w.open(26);
    w.string(10, k);
    w.string(18, v);
    w.join(start);
  }
  return w.finish();
}

/** `InstancePingPkg` bytes (fields 1 service, 2 serviceInstance). */
export function encodeInstancePing(service: string, instance: string): Uint8Array {
  const w = new ProtoWriter(128);
  w.string(10, service);
  w.string(18, instance);
  return w.finish();
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
    private readonly caller: GrpcCaller,
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
    const properties = this.tick++ % 10 === 0;
    const body = properties
      ? encodeInstanceProperties(service, serviceInstance, instanceProperties(this.options.properties))
      : encodeInstancePing(service, serviceInstance);
    this.inFlight = true;
    this.caller.call(properties ? PROPERTIES : KEEP_ALIVE, [body], { timeoutMs: this.options.timeoutMs ?? 10_000, stream: false }).then(
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
