#!/usr/bin/env node
// The reference server for BENCHMARKS.md: the job Cuecast's default channel does (GET /subscribeToEvents,
// POST /generateEvent), written the way a competent Node developer would write it, so the comparison is fair.
//
// It is deliberately minimal: Node 20, built-in modules only (no npm, no framework), one process, no history,
// no Last-Event-ID resume, no heartbeats, no per-subscriber buffer limit, no rate limit or access control. What it
// does do is the part that matters for fan-out cost: each event is encoded once into a Buffer, and that same Buffer
// is written to every subscriber; there is no per-subscriber JSON or string work.
//
//   node Benchmarks/node/fanout-server.js --host 127.0.0.1 --port 8090
//
// HTTP/2 (for `cuecast bench --protocol`): the HTTP/1.1 server on --port always runs (publishing and /healthz use
// it); a second server, sharing the same subscribers and routes, can be added:
//
//   --h2c-port N                            HTTP/2 in the clear, prior knowledge (http2.createServer)
//   --https-port N --tls-cert C --tls-key K HTTP/2 over TLS, falling back to HTTP/1.1 over TLS for clients that
//                                           offer only http/1.1 (http2.createSecureServer with allowHTTP1)
//   --max-concurrent-streams N              SETTINGS_MAX_CONCURRENT_STREAMS (default 100, SwiftNIO's default and so
//                                           what Cuecast announces; Node's own default is unlimited)
//
// Both use Node's compatibility API, so one request handler serves every protocol.
//
//   GET  /subscribeToEvents          text/event-stream: "retry: 3000" at once, then "id: N" + "data:" lines per event
//   POST /generateEvent[?event=NAME] the text/plain body becomes the data of event N (ids count from 1);
//                                    answers 202 {"id":"N","delivered":<subscribers written to>}
//   GET  /healthz                    200 ok
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const http2 = require('node:http2');
const { parseArgs } = require('node:util');

const { values: options } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8090' },
    'h2c-port': { type: 'string' },
    'https-port': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'max-concurrent-streams': { type: 'string', default: '100' },
  },
});

function fail(message) {
  console.error(`fanout-server: ${message}`);
  process.exit(2);
}

function portOption(name) {
  const text = options[name];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) fail(`--${name} must be from 0 to 65535 (got ${text})`);
  return value;
}

const port = portOption('port');
const h2cPort = portOption('h2c-port');
const httpsPort = portOption('https-port');
if (httpsPort !== undefined && (!options['tls-cert'] || !options['tls-key'])) fail('--https-port needs --tls-cert and --tls-key');
const maxConcurrentStreams = Number(options['max-concurrent-streams']);
if (!Number.isInteger(maxConcurrentStreams) || maxConcurrentStreams < 1) {
  fail(`--max-concurrent-streams must be a positive whole number (got ${options['max-concurrent-streams']})`);
}

const MAX_BODY_BYTES = 64 * 1024;
const PREAMBLE = Buffer.from('retry: 3000\n\n');
const STREAM_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache',
  'X-Accel-Buffering': 'no',
};

/** @type {Set<http.ServerResponse | http2.Http2ServerResponse>} */
const subscribers = new Set();
let lastID = 0;

/** One event's bytes, built once: `event:` if named, `id:`, then a `data:` line per line of the body (SSE splits the
 * data on CRLF, CR or LF, so each of those ends a line here too). */
function encodeEvent(id, name, data) {
  let text = name ? `event: ${name}\n` : '';
  text += `id: ${id}\n`;
  for (const line of data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`;
  return Buffer.from(text + '\n', 'utf8');
}

function sendJSON(res, status, value) {
  const body = JSON.stringify(value) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function subscribe(req, res) {
  res.socket.setNoDelay(true);
  res.writeHead(200, STREAM_HEADERS);
  res.flushHeaders();
  res.write(PREAMBLE);
  subscribers.add(res);
  res.on('close', () => subscribers.delete(res));
}

function generateEvent(req, res, url) {
  const name = url.searchParams.get('event');
  if (name !== null && /[\r\n]/.test(name)) {
    sendJSON(res, 400, { error: { status: 400, code: 'bad_event', message: 'an event name cannot contain a line break (CR or LF)' } });
    return;
  }
  const chunks = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(chunk);
  });
  req.on('end', () => {
    if (tooLarge) {
      sendJSON(res, 413, { error: { status: 413, code: 'body_too_large', message: `the body is over ${MAX_BODY_BYTES} bytes` } });
      return;
    }
    const id = ++lastID;
    const frame = encodeEvent(id, name, Buffer.concat(chunks, size).toString('utf8'));
    let delivered = 0;
    for (const subscriber of subscribers) {
      if (subscriber.writableEnded || subscriber.destroyed) continue;
      subscriber.write(frame);
      delivered += 1;
    }
    sendJSON(res, 202, { id: String(id), delivered });
  });
}

/** Every route, for every protocol: HTTP/1.1 requests and HTTP/2 streams (through Node's compatibility API) alike. */
function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/subscribeToEvents' && req.method === 'GET') return subscribe(req, res);
  if (url.pathname === '/generateEvent' && req.method === 'POST') return generateEvent(req, res, url);
  if (url.pathname === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 2 });
    return res.end('ok');
  }
  sendJSON(res, 404, { error: { status: 404, code: 'not_found', message: `no route for ${req.method} ${url.pathname}` } });
}

/** HTTP/1.1 deadlines off: streams stay open for as long as their clients want: no deadline for the request, nor for
 * its headers (which a subscriber has long finished sending); idle keep-alive connections (publishers) are closed
 * after a while. */
function withoutDeadlines(server) {
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 65_000;
  return server;
}

const settings = { maxConcurrentStreams };
const servers = [{ server: withoutDeadlines(http.createServer(handle)), port, scheme: 'http' }];
if (h2cPort !== undefined) {
  servers.push({ server: http2.createServer({ settings }, handle), port: h2cPort, scheme: 'h2c' });
}
if (httpsPort !== undefined) {
  const tls = { cert: fs.readFileSync(options['tls-cert']), key: fs.readFileSync(options['tls-key']) };
  const secure = http2.createSecureServer({ ...tls, settings, allowHTTP1: true }, handle);
  servers.push({ server: withoutDeadlines(secure), port: httpsPort, scheme: 'https' });
}

/** Open HTTP/2 sessions, closed at shutdown (HTTP/2 servers have no closeAllConnections). */
const sessions = new Set();
for (const { server, port: listenPort, scheme } of servers) {
  server.on('error', (error) => {
    console.error(`fanout-server: ${error.message}`);
    process.exit(1);
  });
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.listen(listenPort, options.host, () => {
    const address = server.address();
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    console.log(`listening on ${scheme}://${host}:${address.port}`);
  });
}

function shutdown() {
  let open = servers.length;
  for (const { server } of servers) server.close(() => (--open === 0 ? process.exit(0) : undefined));
  for (const subscriber of subscribers) subscriber.end();
  for (const session of sessions) session.destroy();
  servers[0].server.closeAllConnections();
  // Whatever is left after a second does not hold up the exit.
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
