import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkInstanceLimits, checkReportLimits, DEFAULT_REPORT_LIMITS } from './limits.js';
import type { ReportLimits } from './limits.js';
import { decodeContentEncoding, decodeReport, readBody, replyToReport, ReportError } from './receive.js';
import type { Received, ReportRoute } from './receive.js';

/** Options of {@link receiveReport}: what differs between the collector and the ingest handler. */
export interface ReceiveOptions {
  /** Largest body, before and after content-encoding is undone (413 beyond). */
  maxBodyBytes: number;
  /** Count limits, checked on the raw bytes before decoding and by `checkReportLimits` after. Defaults: {@link DEFAULT_REPORT_LIMITS}. */
  limits?: Partial<ReportLimits>;
  /** Runs after the method check, before the body is read (e.g. a rate limit); throws a {@link ReportError} to refuse. */
  admit?: () => void;
  /**
   * The body when a parser mounted earlier already consumed the stream (it has also undone
   * any content-encoding). Throws a {@link ReportError} when it cannot be recovered.
   */
  consumedBody?: () => Buffer;
  /** Takes what was received; throws a {@link ReportError} to refuse it. */
  accept: (got: Received) => void;
}

/**
 * The one receive pipeline of the collector's HTTP port and the Node ingest handler, so both
 * accept exactly the same inputs: method (POST, else 405) → admission → body within
 * `maxBodyBytes` (413) → content-encoding (identity, gzip, deflate, br; anything else 415)
 * → scan and decode (415 for a wrong content type, 413 over a count, 400 malformed) → limits
 * (413) → accept → answer, as OAP or a gRPC-web server would. Never rejects: every failure is
 * answered; resolves with the error answered, if any.
 */
export async function receiveReport(req: IncomingMessage, res: ServerResponse, route: ReportRoute, path: string, options: ReceiveOptions): Promise<ReportError | undefined> {
  const contentType = String(req.headers['content-type'] ?? '');
  try {
    if (req.method !== 'POST') throw new ReportError(405, `${path} takes POST`);
    options.admit?.();
    const limits: ReportLimits = { ...DEFAULT_REPORT_LIMITS, ...options.limits };
    const body = options.consumedBody
      ? options.consumedBody()
      : await decodeContentEncoding(await readBody(req, options.maxBodyBytes), req.headers['content-encoding'], options.maxBodyBytes);
    const got = decodeReport(route, path, contentType, body, limits);
    const over = got.kind === 'segments' ? checkReportLimits(got.segments, limits) : got.kind === 'instance' ? checkInstanceLimits(got, limits) : undefined;
    if (over) throw new ReportError(413, over);
    options.accept(got);
    replyToReport(res, route, contentType);
    return undefined;
  } catch (err) {
    const error = err instanceof ReportError ? err : new ReportError(500, `internal error: ${String((err as Error)?.message ?? err)}`);
    // An unread body would stall a keep-alive connection; drain what is left of it.
    if (!req.readableEnded) req.resume();
    if (!res.headersSent) replyToReport(res, route, contentType, error);
    else res.end();
    return error;
  }
}
