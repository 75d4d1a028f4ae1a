import { readFileSync } from 'node:fs';
import type * as grpc from '@grpc/grpc-js';
import { diag } from '../../core/index.js';
import { loadGrpcJs } from './grpc-js.js';

/** PEM text, or a path to a PEM file. */
export type PemSource = string | Uint8Array;

/** Loads PEM text given inline or as a file path; undefined (with a diagnostic) when unreadable. */
export function loadPem(source: PemSource | undefined, what: string): Buffer | undefined {
  if (source === undefined || source === '') return undefined;
  if (typeof source !== 'string') return Buffer.from(source);
  if (source.includes('-----BEGIN')) return Buffer.from(source);
  try {
    return readFileSync(source);
  } catch (err) {
    diag.error(`TLS ${what}: cannot read "${source}"; ignored`, err);
    return undefined;
  }
}

/** The CA, client certificate and key of `tls`, each loaded by {@link loadPem}. */
export function loadTls(tls: { ca?: PemSource; cert?: PemSource; key?: PemSource } | undefined): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  return { ca: loadPem(tls?.ca, 'ca'), cert: loadPem(tls?.cert, 'cert'), key: loadPem(tls?.key, 'key') };
}

/** gRPC channel credentials: plain, TLS with system or custom roots, or mutual TLS. */
export function channelCredentials(
  secure: boolean,
  tls: { ca?: PemSource; cert?: PemSource; key?: PemSource } | undefined,
): grpc.ChannelCredentials {
  const { credentials } = loadGrpcJs();
  if (!secure && !tls) return credentials.createInsecure();
  const { ca, cert, key } = loadTls(tls);
  const pair = cert && key;
  return credentials.createSsl(ca ?? null, pair ? key : null, pair ? cert : null);
}
