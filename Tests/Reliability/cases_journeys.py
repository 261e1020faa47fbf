"""Fault-matrix cases for the surfaces the newcomer, workshop and operator journeys added: `GET
/api/connections/mine` (open to everyone), the JSON 404 for any path, and HEAD wherever GET is served.

Each case holds the server to a memory and descriptor bound while clients ask in bulk, and checks that the answers
stay small and the metrics' label sets do not grow with made-up paths."""
import asyncio
import json
import random
import socket
import string

from harness import Server


async def open_streams(port, count, path="/streams/clock"):
    """`count` raw subscribers that read their heads and then nothing more (the server holds them open)."""
    sockets = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n".encode())
        sockets.append(s)
    await asyncio.sleep(0.5)
    return sockets


async def many(server, count, ask):
    """`count` requests, 32 at a time, each in a thread (urllib); their results."""
    semaphore = asyncio.Semaphore(32)

    async def one(index):
        async with semaphore:
            return await asyncio.to_thread(ask, index)

    return await asyncio.gather(*[one(i) for i in range(count)])


async def mine_under_load(quick, record):
    streams, asks = (200, 400) if quick else (2000, 4000)
    server = Server("--max-subscribers", str(streams + 64))
    try:
        before_rss, before_fds = server.rss_kib(), server.descriptors()
        held = await open_streams(server.port, streams)
        answers = await many(server, asks, lambda _: server.get("/api/connections/mine"))
        bodies = [json.loads(body) for status, body in answers if status == 200]
        counts = {b["streams"] for b in bodies}
        largest = max(len(body) for _, body in answers)
        peak_rss = server.rss_kib()
        for s in held:
            s.close()
        fds = server.settle_descriptors(before_fds + 5)
        grown = peak_rss - before_rss
        ok = len(bodies) == asks and counts == {streams} and largest < 4096 and grown < 64 * 1024 and fds <= before_fds + 5
        record("GET /api/connections/mine, asked in bulk beside open streams",
               f"every answer counts the caller's {streams} streams in under 4 KiB; RSS grows < 64 MiB; descriptors come back",
               ok, f"{len(bodies)}/{asks} answers, counts {sorted(counts)}, largest {largest} B, RSS +{grown} KiB, fds {before_fds}→{fds}")
    finally:
        server.stop()


async def unknown_paths_and_head(quick, record):
    asks = 500 if quick else 5000
    server = Server()
    try:
        before_rss = server.rss_kib()

        def ask(index):
            path = "/" + "".join(random.choices(string.ascii_lowercase, k=12)) + f"/{index}"
            status, body = server.get(path)
            return status, body

        missing = await many(server, asks, ask)
        json_errors = sum(1 for status, body in missing if status == 404 and json.loads(body)["error"]["code"] == "not_found")

        def head(index):
            import urllib.request
            request = urllib.request.Request(server.url(["/", "/healthz", "/api/scenarios"][index % 3]), method="HEAD")
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.read()

        heads = await many(server, asks, head)
        empty_ok = sum(1 for status, body in heads if status == 200 and body == b"")
        metrics = server.get("/metrics")[1].decode()
        series = [line for line in metrics.splitlines() if line.startswith("cuecast_http_requests_total{")]
        grown = server.rss_kib() - before_rss
        ok = json_errors == asks and empty_ok == asks and len(series) < 20 and grown < 32 * 1024
        record("random unknown paths, and HEAD on /, /healthz and the API",
               "each unknown path a JSON 404 under route NotFound (no new series); each HEAD a 200 with no body; RSS grows < 32 MiB",
               ok, f"{json_errors}/{asks} JSON 404s, {empty_ok}/{asks} empty HEAD 200s, {len(series)} request series, RSS +{grown} KiB")
    finally:
        server.stop()


async def run(quick, record):
    await mine_under_load(quick, record)
    await unknown_paths_and_head(quick, record)
