// The benchmark's upstream: plain node:http answering a small JSON body, so
// the proxies, not the upstream, are what the configurations compare.
import { createServer } from 'node:http';

const port = Number(process.env['PORT'] ?? 0);
const body = JSON.stringify({ ok: true, items: [{ id: 'order-1', amount: 1250, currency: 'EUR' }] });
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => {
  const addr = server.address();
  console.log(`listening ${typeof addr === 'object' && addr ? addr.port : port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
