import type http2 from 'node:http2';
import type { TransportError } from '../../core/index.js';
import { FRAME_HEADER_BYTES, frameMessages } from '../../server/grpc-frame.js';
import { statusError, type GrpcCaller } from './grpc-caller.js';
import { lazyRequire } from './lazy-require.js';

// node:http2 is loaded by the first connection, not with the package: importing the agent
// without starting it (or starting it with protocol 'http') never loads it.
let h2: typeof http2 | undefined;
const loadHttp2 = (): typeof http2 => (h2 ??= lazyRequire<typeof http2>('node:http2'));
// http2.constants.NGHTTP2_CANCEL, without loading the module to cancel a stream it opened.
const NGHTTP2_CANCEL = 8;

/** Options of {@link Http2Caller}. */
export interface Http2CallerOptions {
  /** `host:port`. */
  address: string;
  secure: boolean;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  /** Sent as the `authentication` metadata. */
  authentication?: string;
}

/**
 * gRPC calls spoken directly over node:http2: the request messages are framed
 * (server/grpc-frame.ts) and written as one buffer, then the status is read from
 * the trailers. The same bytes on the wire as a grpc-js call, without grpc-js's
 * per-message machinery, which costs more than building a segment.
 *
 * One session, replaced after errors. It stays unref'd even while calls are in flight, so
 * a hanging collector never keeps the process alive; whoever must wait for a send (an
 * awaited `flush`) holds its own ref'd deadline timer.
 */
export class Http2Caller implements GrpcCaller {
  private session: http2.ClientHttp2Session | undefined;
  private readonly authority: string;
  /** The last body buffer, free for the next send (see call()). */
  private spare: Buffer | undefined;

  constructor(private readonly options: Http2CallerOptions) {
    this.authority = `${options.secure ? 'https' : 'http'}://${options.address}`;
  }

  call(path: string, messages: readonly Uint8Array[], options: { timeoutMs: number }): Promise<void> {
    // One body buffer is reused from send to send: a fresh ~0.5 MiB buffer per batch is
    // only freed by a full GC (its small wrapper is promoted while the write is pending), so
    // at thousands of segments a second tens of MiB of dead buffers used to sit in RSS.
    let size = 0;
    for (const m of messages) size += FRAME_HEADER_BYTES + m.length;
    // Its own allocation (never a slice of Buffer's shared pool), taken while in use.
    const buf = this.spare && this.spare.length >= size ? this.spare : Buffer.allocUnsafeSlow(size);
    this.spare = undefined;
    const body = frameMessages(messages, 0, buf);
    return new Promise((resolve, reject) => {
      let done = false;
      let stream: http2.ClientHttp2Stream | undefined;
      const finish = (err?: TransportError) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      let session: http2.ClientHttp2Session | undefined;
      const timer = setTimeout(() => {
        stream?.close(NGHTTP2_CANCEL);
        // The connection may be black-holed (a NAT or proxy dropped it silently): never
        // reuse it, or every later call would hang the same way.
        if (session && this.session === session) {
          this.session = undefined;
          session.destroy();
        }
        finish(statusError(4, `no answer within ${options.timeoutMs} ms`));
      }, options.timeoutMs);
      timer.unref();
      try {
        const headers: http2.OutgoingHttpHeaders = {
          ':method': 'POST',
          ':path': path,
          'content-type': 'application/grpc+proto',
          te: 'trailers',
          'grpc-timeout': `${Math.max(1, Math.ceil(options.timeoutMs))}m`,
          'user-agent': 'skywalking-tracing',
        };
        if (this.options.authentication) headers.authentication = this.options.authentication;
        session = this.connect();
        stream = session.request(headers, { endStream: false });
        let status: number | undefined;
        let message = '';
        stream.on('response', (h) => {
          // A trailers-only answer (e.g. PERMISSION_DENIED) carries the status here.
          if (h['grpc-status'] !== undefined) {
            status = Number(h['grpc-status']);
            message = String(h['grpc-message'] ?? '');
          } else if (h[':status'] !== 200) {
            status = 14;
            message = `HTTP ${h[':status']}`;
          }
        });
        stream.on('trailers', (t) => {
          status = t['grpc-status'] !== undefined ? Number(t['grpc-status']) : (status ?? 2);
          message = String(t['grpc-message'] ?? message);
        });
        stream.on('data', () => {
          // The Commands message: OAP answers these calls with an empty one.
        });
        stream.on('close', () => {
          const code = status ?? 14;
          if (code === 0) return finish();
          finish(statusError(code, safeDecode(message) || 'stream closed'));
        });
        stream.on('error', (err) => finish(statusError(14, err.message, err)));
        stream.end(body);
        // Closed: the stream no longer reads the body, so the next send may write over it.
        stream.once('close', () => {
          if (!this.spare || this.spare.length < buf.length) this.spare = buf;
        });
      } catch (err) {
        finish(statusError(14, (err as Error).message, err));
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
    const session = loadHttp2().connect(this.authority, {
      ca: tls?.ca,
      cert: tls?.cert,
      key: tls?.key,
      settings: { enablePush: false },
    });
    const forget = () => {
      if (this.session === session) this.session = undefined;
    };
    // Each stream reports its own failure; a broken session is replaced on next use.
    session.on('error', forget);
    session.on('goaway', forget);
    session.on('close', forget);
    session.unref();
    this.session = session;
    return session;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
