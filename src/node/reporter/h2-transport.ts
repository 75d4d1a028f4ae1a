import http2 from 'node:http2';
import type { BatchTransport, SendOptions } from '../../core/index.js';
import { TransportError } from '../../core/index.js';

const PATH = '/skywalking.v3.TraceSegmentReportService/collect';
// gRPC status codes worth retrying: CANCELLED, UNKNOWN, DEADLINE_EXCEEDED,
// RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE.
const RETRYABLE = new Set([1, 2, 4, 8, 10, 13, 14]);
const NAMES: Record<number, string> = { 1: 'CANCELLED', 2: 'UNKNOWN', 3: 'INVALID_ARGUMENT', 4: 'DEADLINE_EXCEEDED', 7: 'PERMISSION_DENIED', 8: 'RESOURCE_EXHAUSTED', 12: 'UNIMPLEMENTED', 13: 'INTERNAL', 14: 'UNAVAILABLE', 16: 'UNAUTHENTICATED' };

/** Options of {@link Http2SegmentTransport}. */
export interface Http2TransportOptions {
  /** `host:port`. */
  address: string;
  secure: boolean;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  /** Sent as the `authentication` metadata. */
  authentication?: string;
}

/**
 * The client-streaming `TraceSegmentReportService/collect` call, spoken directly over
 * node:http2: a batch's segments are framed (1 flag byte, 4-byte length, message) and
 * written as one buffer, then the status is read from the trailers. The same bytes on
 * the wire as a grpc-js stream, without grpc-js's per-message machinery, which costs more
 * than building the segment. One session, reopened after errors; unref'd while idle.
 */
export class Http2SegmentTransport implements BatchTransport<Uint8Array> {
  private session: http2.ClientHttp2Session | undefined;
  private readonly authority: string;
  private active = 0;

  constructor(private readonly options: Http2TransportOptions) {
    this.authority = `${options.secure ? 'https' : 'http'}://${options.address}`;
  }

  send(batch: Uint8Array[], options: SendOptions): Promise<void> {
    let total = 0;
    for (const m of batch) total += 5 + m.length;
    const body = Buffer.allocUnsafe(total);
    let p = 0;
    for (const m of batch) {
      body[p] = 0;
      body.writeUInt32BE(m.length, p + 1);
      body.set(m, p + 5);
      p += 5 + m.length;
    }
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (err?: TransportError) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        // Idle sessions must not keep the process alive.
        if (--this.active === 0) this.session?.unref();
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => {
        stream?.close(http2.constants.NGHTTP2_CANCEL);
        finish(new TransportError(`DEADLINE_EXCEEDED after ${options.timeoutMs} ms`, true));
      }, options.timeoutMs);
      timer.unref();
      let stream: http2.ClientHttp2Stream | undefined;
      this.active++;
      try {
        const session = this.connect();
        session.ref();
        const headers: http2.OutgoingHttpHeaders = {
          ':method': 'POST',
          ':path': PATH,
          'content-type': 'application/grpc+proto',
          te: 'trailers',
          'grpc-timeout': `${Math.max(1, Math.ceil(options.timeoutMs))}m`,
          'user-agent': 'skywalking-tracing',
        };
        if (this.options.authentication) headers.authentication = this.options.authentication;
        stream = session.request(headers, { endStream: false });
        let status: string | undefined;
        let message = '';
        stream.on('response', (h) => {
          // A trailers-only answer (e.g. PERMISSION_DENIED) carries the status here.
          if (h['grpc-status'] !== undefined) {
            status = String(h['grpc-status']);
            message = String(h['grpc-message'] ?? '');
          } else if (h[':status'] !== 200) {
            status = '14';
            message = `HTTP ${h[':status']}`;
          }
        });
        stream.on('trailers', (t) => {
          status = String(t['grpc-status'] ?? status ?? '2');
          message = String(t['grpc-message'] ?? message);
        });
        stream.on('data', () => {
          // The Commands message: OAP always answers trace streams with an empty one.
        });
        stream.on('close', () => {
          const code = status === undefined ? 14 : Number(status);
          if (code === 0) return finish();
          const hint = code === 7 || code === 16 ? ' (check the authentication token: OAP compares it exactly)' : '';
          finish(new TransportError(`${NAMES[code] ?? code}: ${decodeURIComponent(message) || 'stream closed'}${hint}`, RETRYABLE.has(code)));
        });
        stream.on('error', (err) => finish(new TransportError(`UNAVAILABLE: ${err.message}`, true, { cause: err })));
        stream.end(body);
      } catch (err) {
        finish(new TransportError(`UNAVAILABLE: ${(err as Error).message}`, true, { cause: err }));
      }
    });
  }

  close(): void {
    this.session?.close();
    this.session = undefined;
  }

  private connect(): http2.ClientHttp2Session {
    const current = this.session;
    if (current && !current.closed && !current.destroyed) return current;
    const tls = this.options.tls;
    const session = http2.connect(this.authority, {
      ca: tls?.ca,
      cert: tls?.cert,
      key: tls?.key,
      settings: { enablePush: false },
    });
    session.on('error', () => {
      // Each stream reports its own failure; a broken session is replaced on next use.
      if (this.session === session) this.session = undefined;
    });
    session.on('goaway', () => {
      if (this.session === session) this.session = undefined;
    });
    session.on('close', () => {
      if (this.session === session) this.session = undefined;
    });
    session.unref();
    this.session = session;
    return session;
  }
}
