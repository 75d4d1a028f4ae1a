import type { IncomingMessage } from 'node:http';
import { hostPort } from './targets.js';

/** The caller's address: the first `x-forwarded-for` entry, else the socket's remote address and port. */
export function clientAddress(req: IncomingMessage): string {
  const fwd = req.headers['x-forwarded-for'];
  const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(',')[0]?.trim();
  if (first) return first;
  const s = req.socket;
  if (!s?.remoteAddress) return '';
  return hostPort(s.remoteAddress, s.remotePort ?? 0);
}
