// A SkyWalking gRPC sink for benchmarks: counts streamed segments and answers management
// calls, without decoding (so the sink costs as little CPU as possible).
import * as grpc from '@grpc/grpc-js';

const raw = { serialize: (b) => b, deserialize: (b) => b };
const def = (path, requestStream) => ({ path, requestStream, responseStream: false, requestSerialize: raw.serialize, requestDeserialize: raw.deserialize, responseSerialize: raw.serialize, responseDeserialize: raw.deserialize });
let segments = 0;
const server = new grpc.Server();
const stream = (call, cb) => {
  call.on('data', () => segments++);
  call.on('end', () => cb(null, Buffer.alloc(0)));
  call.on('error', () => {});
};
const unary = (_call, cb) => cb(null, Buffer.alloc(0));
server.addService({ collect: def('/skywalking.v3.TraceSegmentReportService/collect', true) }, { collect: stream });
server.addService(
  { reportInstanceProperties: def('/skywalking.v3.ManagementService/reportInstanceProperties', false), keepAlive: def('/skywalking.v3.ManagementService/keepAlive', false) },
  { reportInstanceProperties: unary, keepAlive: unary },
);
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.send({ port });
});
process.on('message', (m) => {
  if (m === 'count') process.send({ count: segments });
  if (m === 'reset') {
    segments = 0;
    process.send({ count: 0 });
  }
});
