// How a demo service starts listening under demo.mjs: it reports its port (or why it could
// not listen) over IPC instead of printing a stack trace, and it exits when demo.mjs goes
// away (the IPC channel closes), so no orphan keeps a port busy.

/** Listens on 127.0.0.1:`port` and reports `{ ready, port }` or `{ listenError: { port, code } }` to the parent. */
export function listenForDemo(server, port) {
  server.once('error', (err) => {
    if (!process.send) throw err;
    process.send({ listenError: { port, code: err.code ?? String(err) } }, () => process.exit(1));
  });
  server.listen(port, '127.0.0.1', () => {
    process.send?.({ ready: true, port: server.address().port });
  });
  process.on('disconnect', () => process.exit(0));
}
