import type * as grpcJsModule from '@grpc/grpc-js';
import { lazyRequire } from './lazy-require.js';

type GrpcJs = typeof grpcJsModule;
let grpcJs: GrpcJs | undefined;

/**
 * @grpc/grpc-js, loaded on first use: only `grpcClient: 'grpc-js'` needs it, and loading it
 * costs about 12 MiB of RSS and 40 ms, which the default node:http2 client never pays.
 */
export function loadGrpcJs(): GrpcJs {
  grpcJs ??= lazyRequire<GrpcJs>('@grpc/grpc-js');
  return grpcJs;
}
