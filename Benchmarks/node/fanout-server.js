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
//   GET  /subscribeToEvents          text/event-stream: "retry: 3000" at once, then "id: N" + "data:" lines per event
//   POST /generateEvent[?event=NAME] the text/plain body becomes the data of event N (ids count from 1);
//                                    answers 202 {"id":"N","delivered":<subscribers written to>}
//   GET  /healthz                    200 ok
'use strict';

const http = require('node:http');
const { parseArgs } = require('node:util');

const { values: options } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8090' },
  },
});
const port = Number(options.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`fanout-server: --port must be from 0 to 65535 (got ${options.port})`);
  process.exit(2);
}

const MAX_BODY_BYTES = 64 * 1024;
const PREAMBLE = Buffer.from('retry: 3000\n\n');
const STREAM_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache',
  'X-Accel-Buffering': 'no',
};

/** @type {Set<http.ServerResponse>} */
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

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/subscribeToEvents' && req.method === 'GET') return subscribe(req, res);
  if (url.pathname === '/generateEvent' && req.method === 'POST') return generateEvent(req, res, url);
  if (url.pathname === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 2 });
    return res.end('ok');
  }
  sendJSON(res, 404, { error: { status: 404, code: 'not_found', message: `no route for ${req.method} ${url.pathname}` } });
});
// Streams stay open for as long as their clients want: no deadline for the request, nor for its headers (which a
// subscriber has long finished sending); idle keep-alive connections (publishers) are closed after a while.
server.requestTimeout = 0;
server.headersTimeout = 0;
server.keepAliveTimeout = 65_000;

server.on('error', (error) => {
  console.error(`fanout-server: ${error.message}`);
  process.exit(1);
});

server.listen(port, options.host, () => {
  const address = server.address();
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  console.log(`listening on http://${host}:${address.port}`);
});

function shutdown() {
  server.close(() => process.exit(0));
  for (const subscriber of subscribers) subscriber.end();
  server.closeAllConnections();
  // Whatever is left after a second does not hold up the exit.
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
