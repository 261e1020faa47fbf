"""Hostile clients of the LLM stand-in (POST /v1/chat/completions, /v1/responses, /v1/messages; docs/llm.md): clients
that never read or read slowly, garbage bodies, many concurrent POSTs, huge bodies, and clients that leave a stalled
stream. Each case bounds the server's resident memory and descriptors, and checks that it still answers at once."""
import asyncio
import json
import os
import socket
import time

from harness import Server, raw_exchange, status_of

CHAT = "/v1/chat/completions"


def request(path, body, headers=""):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return (f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n{headers}\r\n").encode() + data


def ask(model, stream=True):
    return {"model": model, "stream": stream, "messages": [{"role": "user", "content": "hi"}]}


def open_raw(port, data, rcvbuf=None):
    sock = socket.socket()
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.connect(("127.0.0.1", port))
    sock.sendall(data)
    return sock


def open_streams(server):
    """How many /v1 streams the server holds (its own list of connections)."""
    status, body = server.get("/api/connections")
    return sum(1 for c in json.loads(body)["connections"] if c["path"].startswith("/v1/")) if status == 200 else -1


async def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await asyncio.to_thread(predicate):
            return True
        await asyncio.sleep(0.1)
    return await asyncio.to_thread(predicate)


async def never_reading(server, quick, record):
    count = 50 if quick else 500
    base_rss, base_fd = server.rss_kib(), server.descriptors()
    socks = [open_raw(server.port, request(CHAT, ask("cuecast-long")), rcvbuf=2048) for _ in range(count)]
    await asyncio.sleep(5 if quick else 8)  # cuecast-long lasts about 3.5 s: every reply is written or waiting
    peak = server.rss_kib()
    health = server.health_time()
    for sock in socks:
        sock.close()
    released = await wait_for(lambda: open_streams(server) == 0, 10)
    fds = server.settle_descriptors(base_fd + 2)
    growth = peak - base_rss
    bound = count * 64 + 32 * 1024  # KiB: a reply is ~15 KiB; each client holds at most its reply and a task
    record(f"llm: {count} clients that POST a stream and never read", "memory bounded, slots and descriptors given back, health fast",
           growth < bound and released and fds <= base_fd + 2 and health is not None and health < 0.5,
           f"resident +{growth} KiB (bound {bound}); streams released={released}; descriptors {fds} (base {base_fd}); health {health}")


async def slow_reading(server, quick, record):
    count = 10 if quick else 50
    socks = [open_raw(server.port, request(CHAT, ask("cuecast-hello")), rcvbuf=1024) for _ in range(count)]
    got = [b""] * count
    deadline = time.monotonic() + (6 if quick else 12)
    while time.monotonic() < deadline and not all(b"[DONE]" in g for g in got):
        for index, sock in enumerate(socks):
            sock.setblocking(False)
            try:
                got[index] += sock.recv(64)
            except BlockingIOError:
                pass
        await asyncio.sleep(0.05)
    health = server.health_time()
    for sock in socks:
        sock.close()
    done = sum(b"data: [DONE]" in g for g in got)
    record(f"llm: {count} clients reading 64 bytes every 50 ms", "each gets its whole reply; others unaffected",
           done == count and health is not None and health < 0.5, f"{done}/{count} got [DONE]; health {health}")


async def garbage(server, quick, record):
    cases = [
        (CHAT, b"{not json"), ("/v1/messages", b"\xff\xfe\x00garbage"), ("/v1/responses", b"[]"), (CHAT, b'{"model": 5}'),
        (CHAT, b'{"model": "cuecast-hello", "stream": "yes"}'), ("/v1/messages", b'{"model": "cuecast-hello+explode"}'),
        (CHAT, b'{"model": "' + b"x" * 5000 + b'"}'), (CHAT, os.urandom(4096)),
    ]
    rounds = 5 if quick else 50
    statuses, shapes = set(), True
    for _ in range(rounds):
        for path, body in cases:
            response, _ = await asyncio.to_thread(raw_exchange, server.port, request(path, body, "Connection: close\r\n"), 2.0)
            statuses.add(status_of(response))
            payload = response.partition(b"\r\n\r\n")[2]
            try:
                parsed = json.loads(payload)
                shapes &= ("error" in parsed) and (parsed.get("type") == "error" if path == "/v1/messages" else "message" in parsed["error"])
            except ValueError:
                shapes = False
    health = server.health_time()
    record(f"llm: {rounds * len(cases)} garbage bodies", "each a 4xx in its provider's JSON error shape; the server still answers",
           statuses <= {400, 404} and shapes and health is not None, f"statuses {sorted(statuses)}; shapes ok={shapes}; health {health}")


async def concurrent(server, quick, record):
    count = 100 if quick else 1000
    base_rss = server.rss_kib()

    async def one():
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(request(CHAT, ask("cuecast-hi"), "Connection: close\r\n"))
            await writer.drain()
            data = await asyncio.wait_for(reader.read(-1), 20)
            writer.close()
            return b"data: [DONE]" in data
        except (OSError, asyncio.TimeoutError):
            return False
    started = time.monotonic()
    results = []
    for begin in range(0, count, 250):
        results += await asyncio.gather(*[one() for _ in range(min(250, count - begin))])
    took = time.monotonic() - started
    growth = server.rss_kib() - base_rss
    record(f"llm: {count} concurrent streamed POSTs", "every reply whole; memory bounded",
           all(results) and growth < 64 * 1024, f"{sum(results)}/{count} whole in {took:.1f} s; resident +{growth} KiB (bound 65536)")


async def huge(server, quick, record):
    base_rss = server.rss_kib()
    # A declared 100 MB body is refused before any of it is read.
    declared, closed = await asyncio.to_thread(
        raw_exchange, server.port, b"POST /v1/messages HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{", 3.0)
    # A chunked body past the limit (1.5 MiB, its end not sent): refused once it passes 1 MiB, without waiting for the end.
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"x" * 65536
    sent = 0
    answer = b""
    try:
        for _ in range(24):
            sock.sendall(b"10000\r\n" + chunk + b"\r\n")
            sent += len(chunk)
        sock.settimeout(3)
        while b"\r\n\r\n" not in answer:
            part = sock.recv(65536)
            if not part:
                break
            answer += part
    except OSError:
        pass
    finally:
        sock.close()
    growth = server.rss_kib() - base_rss
    record("llm: huge bodies (100 MB declared; 1.5 MiB chunked, unfinished)", "413 in the provider's shape; memory bounded",
           status_of(declared) == 413 and b"request_too_large" in declared and status_of(answer) == 413 and growth < 16 * 1024,
           f"declared → {status_of(declared)}; chunked → {status_of(answer)} after {sent // 1024} KiB sent; resident +{growth} KiB")


async def stalled_then_gone(server, quick, record):
    count = 20 if quick else 200
    base_fd = server.descriptors()
    socks = [open_raw(server.port, request(CHAT, ask("cuecast-stall"))) for _ in range(count)]
    held = await wait_for(lambda: open_streams(server) == count, 10)
    for sock in socks:
        sock.close()
    released = await wait_for(lambda: open_streams(server) == 0, 10)
    fds = server.settle_descriptors(base_fd + 2)
    record(f"llm: {count} stalled streams whose clients leave", "slots and descriptors given back at once, not after the stall limit",
           held and released and fds <= base_fd + 2, f"held all={held}; released={released}; descriptors {fds} (base {base_fd})")


async def run(quick, record):
    server = Server("--log-level", "warning")
    try:
        for case in (never_reading, slow_reading, garbage, concurrent, huge, stalled_then_gone):
            await case(server, quick, record)
    finally:
        server.stop()
