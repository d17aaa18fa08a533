import http from 'node:http';

/**
 * The bench baseline: what the reference mediator does. Unwraps CHT's
 * {"bundle": ...} and POSTs it to the FHIR server as is: no auth, no
 * validation, no de-duplication, to FHIR_BASE_URL, like the receiver.
 */
function main() {
  const target = new URL(process.env.FHIR_BASE_URL!);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const text = JSON.stringify(body.bundle ?? body);
      const up = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/fhir+json', 'content-length': Buffer.byteLength(text) },
        },
        (r) => {
          r.resume();
          r.on('end', () => {
            res.writeHead(r.statusCode ?? 502, { 'content-type': 'application/json' });
            res.end('{}');
          });
        },
      );
      up.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      up.end(text);
    });
  });
  server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
  process.on('SIGTERM', () => process.exit(0));
}

main();
