"""The stream core's hostile cases (issue 22): one byte budget per subscriber, whatever holds its bytes (a fault, a
replay, HTTP/2 flow control, TLS, unread answers), and HTTP/2 connections that end cleanly.

Each case reproduces an attack of the hostile run against a live server and reads the evidence from the outside:
resident memory and descriptors from /proc, bytes on a witness subscriber's wire. HTTP/2 is spoken with the `h2`
package (PyPI), a client the tests did not write."""
import asyncio
import json
import os
import socket
import ssl
import subprocess
import tempfile
import threading
import time

import h2.config
import h2.connection
import h2.events
import h2.settings

from harness import Server, binary, chunked_body, free_port

BUDGET_KIB = 256
GROWTH_BOUND_KIB = 64 * 1024

FAULTS = ["drip=1000", "latency=60000", "lineEnding=crlf", "bom=1", "junk=1", "closeAfter=3", "closeMidEvent=3",
          "stallAfter=3", "status=500", "contentType=text/plain"]


def h2_over_tls(raw):
    """`raw` wrapped in TLS offering ALPN `h2`, not checking the server's throwaway certificate."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["h2"])
    return context.wrap_socket(raw, server_hostname="localhost")


class RawSubscriber:
    """An HTTP/1.1 subscriber on a raw socket: `mode` is "never" (reads nothing, small receive buffer), "slow" (a few
    KiB a second) or "fast" (everything, at once)."""

    def __init__(self, port, path, mode):
        self.sock = socket.socket()
        if mode != "fast":
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.connect(("127.0.0.1", port))
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
        self.data = bytearray()
        self.closed = False
        self.mode = mode
        if mode != "never":
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            try:
                part = self.sock.recv(1024 if self.mode == "slow" else 65536)
            except OSError:
                self.closed = True
                return
            if not part:
                self.closed = True
                return
            self.data += part
            if self.mode == "slow":
                time.sleep(0.25)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class H2Client:
    """One HTTP/2 connection (h2c, or h2 over TLS with ALPN) opening streams. `window=0` announces a zero initial
    window (the server may send no DATA until the client opens it, which it never does); `reading` reads and
    acknowledges everything in a thread."""

    def __init__(self, port, tls=False, window=None, reading=False, settings=True):
        raw = socket.create_connection(("127.0.0.1", port))
        if tls:
            raw = h2_over_tls(raw)
        self.sock = raw
        self.lock = threading.Lock()
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        self.conn.initiate_connection()
        if window is not None:
            self.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window})
        self.data = {}
        self.ended = set()
        self.reset = set()
        self.goaway = None
        self.closed = False
        # The server's SETTINGS, acknowledged: until then a server may hold the client to 100 open streams.
        self.settled = threading.Event()
        self.reading = reading
        if settings:
            self.sock.sendall(self.conn.data_to_send())
        else:
            self.sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        if reading:
            threading.Thread(target=self._read, daemon=True).start()

    def open(self, path, count=1):
        if self.reading:
            self.settled.wait(15)
        ids = []
        with self.lock:
            for _ in range(count):
                stream = self.conn.get_next_available_stream_id()
                self.conn.send_headers(stream, [(":method", "GET"), (":scheme", "http"), (":authority", "localhost"),
                                                (":path", path)], end_stream=True)
                self.data[stream] = bytearray()
                ids.append(stream)
            self.sock.sendall(self.conn.data_to_send())
        return ids

    def send_raw(self, frame):
        self.sock.sendall(frame)

    def _read(self):
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            with self.lock:
                try:
                    events = self.conn.receive_data(chunk)
                except Exception:
                    break
                for event in events:
                    if isinstance(event, h2.events.DataReceived):
                        self.data.setdefault(event.stream_id, bytearray()).extend(event.data)
                        self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                    elif isinstance(event, h2.events.StreamEnded):
                        self.ended.add(event.stream_id)
                    elif isinstance(event, h2.events.StreamReset):
                        self.reset.add(event.stream_id)
                    elif isinstance(event, h2.events.ConnectionTerminated):
                        self.goaway = event.error_code
                    elif isinstance(event, h2.events.RemoteSettingsChanged):
                        self.settled.set()
                try:
                    self.sock.sendall(self.conn.data_to_send())
                except OSError:
                    break
        self.closed = True

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def events_in(body):
    """The data lines' payload numbers of an SSE body (events published as `N payload`)."""
    numbers = []
    for block in bytes(body).replace(b"\r\n", b"\n").split(b"\n\n"):
        for line in block.split(b"\n"):
            if line.startswith(b"data: ") and line[6:7].isdigit():
                numbers.append(int(line[6:].split(b" ", 1)[0]))
    return numbers


def publish(server, channel, count, size, start=0):
    """Publishes events `start`..; how many publishes failed (a server too busy to answer in 5 s, say)."""
    payload = "x" * size
    failed = 0
    for number in range(start, start + count):
        try:
            server.post(f"/generateEvent?channel={channel}", json.dumps({"data": f"{number} {payload}"}).encode(), "application/json")
        except OSError:
            failed += 1
    return failed


def certificate():
    folder = tempfile.mkdtemp(prefix="cuecast-matrix-cert-")
    subprocess.run([binary(), "cert", "--out", folder], check=True, capture_output=True)
    return os.path.join(folder, "localhost.pem"), os.path.join(folder, "localhost-key.pem")


def tls_server(*args, **kwargs):
    cert, key = certificate()
    https = free_port()
    server = Server("--https-port", str(https), "--tls-cert", cert, "--tls-key", key, *args, **kwargs)
    server.https_port = https
    return server


def status_counts(server, wait=20):
    """Subscribers the server holds, from /api/channels (asked again for up to `wait` s while it is too busy)."""
    deadline = time.time() + wait
    while True:
        try:
            channels = json.loads(server.get("/api/channels")[1])["channels"]
            return {c["name"]: c["subscribers"] for c in channels}
        except OSError:
            if time.time() > deadline:
                return {}


async def fault_flood_case(quick, record):
    """Ten subscribers that add `?drip=1000` or `?latency=60000` while 150 events of 60 KB are published."""
    count = 4 if quick else 10
    events = 60 if quick else 150
    for fault in ["drip=1000", "latency=60000"]:
        server = Server("--publish-rate", "100000", "--log-level", "warning")
        try:
            baseline = server.rss_kib()
            subscribers = [RawSubscriber(server.port, f"/channels/f?history=none&{fault}", "fast") for _ in range(count)]
            witness = RawSubscriber(server.port, "/channels/f?history=none", "fast")
            await asyncio.sleep(0.5)
            peak = 0
            for start in range(0, events, 10):
                await asyncio.to_thread(publish, server, "f", 10, 60000, start)
                peak = max(peak, server.rss_kib())
            await asyncio.sleep(2)
            peak = max(peak, server.rss_kib())
            held = status_counts(server).get("f", 0) - 1
            got = events_in(chunked_body(witness.data))
            for s in subscribers + [witness]:
                s.close()
            growth = peak - baseline
            ok = growth <= GROWTH_BOUND_KIB and held == 0 and got == list(range(events))
            record(f"stream core: {count} subscribers with ?{fault}, {events} events of 60 KB",
                   "what the fault holds counts against the 256 KiB buffer: cut off past it; memory +64 MiB at most; a witness gets every event",
                   ok, f"resident +{growth // 1024} MiB (bound 64); fault subscribers still held {held}; witness got {len(got)}/{events} in order={got == list(range(events))}")
        finally:
            server.stop()


async def fault_matrix_case(quick, record):
    """Every fault option against a never-reading and a slow-reading client, over HTTP/1.1, h2c and h2."""
    events = 40 if quick else 150
    server = tls_server("--publish-rate", "100000", "--log-level", "warning")
    try:
        for protocol in ["http/1.1", "h2c", "h2"]:
            channel = "m" + protocol.replace("/", "").replace(".", "")
            baseline = server.rss_kib()
            clients = []
            for fault in FAULTS:
                path = f"/channels/{channel}?history=none&{fault}"
                if protocol == "http/1.1":
                    clients += [RawSubscriber(server.port, path, "never"), RawSubscriber(server.port, path, "slow")]
                else:
                    port = server.https_port if protocol == "h2" else server.port
                    never = H2Client(port, tls=protocol == "h2", window=0)
                    never.open(path)
                    slow = H2Client(port, tls=protocol == "h2", reading=True)
                    slow.open(path)
                    clients += [never, slow]
            witness = RawSubscriber(server.port, f"/channels/{channel}?history=none", "fast")
            await asyncio.sleep(0.5)
            peak = 0
            for start in range(0, events, 10):
                await asyncio.to_thread(publish, server, channel, 10, 16000, start)
                peak = max(peak, server.rss_kib())
            await asyncio.sleep(1)
            peak = max(peak, server.rss_kib())
            health = server.health_time()
            got = events_in(chunked_body(witness.data))
            for client in clients + [witness]:
                client.close()
            growth = peak - baseline
            ok = growth <= GROWTH_BOUND_KIB and health is not None and got == list(range(events))
            record(f"stream core: every fault option ({len(FAULTS)}) × a never-reading and a slow client over {protocol}, {events} events of 16 KB",
                   "memory +64 MiB at most; /healthz answers; a witness gets every event",
                   ok, f"resident +{growth // 1024} MiB; /healthz {health if health is None else round(health, 3)} s; witness got {len(got)}/{events}")
    finally:
        server.stop()


async def replay_case(quick, record):
    """100 events of 60 KB in a channel's history, then subscribers that never read: HTTP/1.1, and h2c streams that
    announce a zero window."""
    readers = 50 if quick else 200
    connections, streams = (1, 128) if quick else (2, 256)
    server = Server("--publish-rate", "100000", "--log-level", "warning")
    try:
        await asyncio.to_thread(publish, server, "r", 100, 60000)
        baseline = server.rss_kib()
        clients = []
        for _ in range(connections):
            # Reads the socket, so it acknowledges the server's SETTINGS (more than 100 streams are allowed only
            # then), but never opens a stream's window: not a byte of DATA is taken.
            client = H2Client(server.port, window=0, reading=True)
            client.open("/channels/r", streams)
            clients.append(client)
        clients += [RawSubscriber(server.port, "/channels/r", "never") for _ in range(readers)]
        peak = 0
        for _ in range(10):
            await asyncio.sleep(0.3)
            peak = max(peak, server.rss_kib())
        held = status_counts(server).get("r", 0)
        health = server.health_time()
        for client in clients:
            client.close()
        growth = peak - baseline
        ok = growth <= GROWTH_BOUND_KIB and health is not None and held == readers + connections * streams
        record(f"stream core: a replay of 100 events of 60 KB to {readers} HTTP/1.1 and {connections}×{streams} h2c subscribers that never read",
               "the replay is written as the client takes it: memory +64 MiB at most; /healthz answers; none cut off for the replay",
               ok, f"resident +{growth // 1024} MiB (bound 64); /healthz {health if health is None else round(health, 3)} s; "
                   f"subscribers held {held}/{readers + connections * streams}")
    finally:
        server.stop()


async def fast_reader_case(quick, record):
    """Publish 100 events of 4 KiB to the default channel, then read /subscribeToEvents at full speed."""
    server = Server("--publish-rate", "100000", "--log-level", "warning")
    try:
        await asyncio.to_thread(publish, server, "default", 100, 4096)
        reader = RawSubscriber(server.port, "/subscribeToEvents", "fast")
        deadline = time.time() + 5
        while time.time() < deadline and len(events_in(chunked_body(reader.data))) < 100:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        body = chunked_body(reader.data)
        got = events_in(body)
        reader.close()
        cut = b"cut off" in body
        ok = got == list(range(100)) and not cut
        record("stream core: a fast reader of a replay of 100 events of 4 KiB",
               "gets every event, and no cut-off notice", ok, f"got {len(got)}/100 in order={got == list(range(100))}; cut-off notice={cut}")
    finally:
        server.stop()


async def tls_window_case(quick, record):
    """HTTP/2 over TLS: connections of streams that never open their window while events are published."""
    connections, streams = (1, 128) if quick else (2, 256)
    events = 100 if quick else 200
    server = tls_server("--publish-rate", "100000", "--log-level", "warning")
    try:
        baseline = server.rss_kib()
        silent = []
        for _ in range(connections):
            # Reads the socket (so TCP never holds the server back) but never opens a stream's window.
            client = H2Client(server.https_port, tls=True, window=0, reading=True)
            client.open("/channels/t", streams)
            silent.append(client)
        witness = H2Client(server.https_port, tls=True, reading=True)
        [stream] = witness.open("/channels/t?history=none")
        await asyncio.sleep(0.5)
        peak = 0
        for start in range(0, events, 10):
            await asyncio.to_thread(publish, server, "t", 10, 16384, start)
            peak = max(peak, server.rss_kib())
        deadline = time.time() + 15
        while time.time() < deadline and len(events_in(witness.data[stream])) < events:
            await asyncio.sleep(0.1)
        peak = max(peak, server.rss_kib())
        got = events_in(witness.data[stream])
        for client in silent + [witness]:
            client.close()
        growth = peak - baseline
        ok = growth <= GROWTH_BOUND_KIB and got == list(range(events))
        record(f"stream core: h2 over TLS, {connections}×{streams} streams that never open their window, {events} events of 16 KiB",
               "cut off at their buffer as on h2c: memory +64 MiB at most; a witness on another connection gets every event",
               ok, f"resident +{growth // 1024} MiB (bound 64); witness got {len(got)}/{events}")
    finally:
        server.stop()


async def pipelined_case(quick, record):
    """Pipelined `GET /api/scenarios` whose answers are never read."""
    total = (10 if quick else 60) << 20
    server = Server("--log-level", "warning")
    try:
        baseline = server.rss_kib()
        request = b"GET /api/scenarios HTTP/1.1\r\nHost: localhost\r\n\r\n"
        batch = request * (65536 // len(request))
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", server.port))
        sock.settimeout(0.5)
        sent = 0
        peak = 0
        deadline = time.time() + (5 if quick else 15)
        while sent < total and time.time() < deadline:
            try:
                sent += sock.send(batch)
            except socket.timeout:
                pass
            except OSError:
                break
            peak = max(peak, server.rss_kib())
        await asyncio.sleep(0.5)
        peak = max(peak, server.rss_kib())
        health = server.health_time()
        sock.close()
        growth = peak - baseline
        ok = growth <= GROWTH_BOUND_KIB and health is not None
        record(f"stream core: up to {total >> 20} MB of pipelined GET /api/scenarios, answers never read",
               "the server stops reading while answers are unread: memory +64 MiB at most; /healthz answers",
               ok, f"{sent >> 20} MB accepted; resident +{growth // 1024} MiB (bound 64); /healthz {health if health is None else round(health, 3)} s")
    finally:
        server.stop()


def h2_frame(kind, flags, stream, payload=b""):
    return len(payload).to_bytes(3, "big") + bytes([kind, flags]) + stream.to_bytes(4, "big") + payload


def h2_get_block(path, tls):
    """An HPACK block for `GET path` that uses no dynamic table (static indexes and literals without indexing), so
    the same bytes open any number of streams without tracking the server's table."""
    def literal(index, value):
        return bytes([index, len(value)]) + value
    return bytes([0x82, 0x87 if tls else 0x86]) + literal(0x04, path.encode()) + literal(0x01, b"localhost")


class H2Flooder:
    """A raw HTTP/2 client that floods requests and never reads a byte of the answers (a 4 KiB receive buffer).
    `window`: the initial stream window it announces; with a large one it also opens the connection window to the
    maximum, so nothing but the server's own rule stops the answers from piling up."""

    def __init__(self, port, tls, window):
        raw = socket.socket()
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.connect(("127.0.0.1", port))
        if tls:
            raw = h2_over_tls(raw)
        self.sock = raw
        self.tls = tls
        self.next_id = 1
        self.sent = 0
        self.pending = bytearray()
        settings = (4).to_bytes(2, "big") + window.to_bytes(4, "big")
        preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, settings)
        if window > 65535:
            preface += h2_frame(8, 0, 0, (0x7FFFFFFF - 65535).to_bytes(4, "big"))
        self.sock.sendall(preface)
        self.sock.setblocking(False)

    def flood(self, path, count, reset=False):
        """Queues `count` more requests (each reset at once if `reset`) unless the last ones are still unsent, and sends
        what the server takes without waiting: a frame is never cut, and a server that stops reading stops the flood."""
        if len(self.pending) < 65536:
            block = h2_get_block(path, self.tls)
            for _ in range(count):
                if self.next_id >= 0x7FFFFF00:
                    break
                self.pending += h2_frame(1, 0x5, self.next_id, block)
                if reset:
                    self.pending += h2_frame(3, 0, self.next_id, (8).to_bytes(4, "big"))
                self.next_id += 2
        try:
            taken = self.sock.send(self.pending)
        except (socket.timeout, BlockingIOError, ssl.SSLWantWriteError):
            return
        except OSError:
            self.pending.clear()
            return
        self.sent += taken
        del self.pending[:taken]

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


async def h2_request_flood_case(quick, record):
    """HTTP/2 clients that flood `GET /api/scenarios` and never read the answers, and clients that open and reset
    streams as fast as they can: the HTTP/2 side of the pipelined flood above."""
    seconds = 5 if quick else 15
    server = tls_server("--log-level", "warning")
    try:
        for protocol in ["h2c", "h2"]:
            port = server.https_port if protocol == "h2" else server.port
            for name, window, reset in [("a zero window", 0, False), ("a wide-open window", 0x7FFFFFFF, False),
                                        ("open-and-reset", 65535, True)]:
                baseline_rss = server.rss_kib()
                baseline_fd = server.descriptors()
                flooders = [H2Flooder(port, protocol == "h2", window) for _ in range(2)]
                peak = baseline_rss
                slowest = 0.0
                unanswered = 0
                deadline = time.time() + seconds
                while time.time() < deadline:
                    # Paced under the server's 256 concurrent streams, so NIOHTTP2's refusals and rate limits
                    # (which end a connection that overruns them) do not stop the flood before the answers pile up.
                    for flooder in flooders:
                        flooder.flood("/api/scenarios", 32, reset=reset)
                    await asyncio.sleep(0.01)
                    peak = max(peak, server.rss_kib())
                    health = await asyncio.to_thread(server.health_time)
                    if health is None:
                        unanswered += 1
                    else:
                        slowest = max(slowest, health)
                await asyncio.sleep(0.5)
                peak = max(peak, server.rss_kib())
                sent = sum(f.sent for f in flooders)
                for flooder in flooders:
                    flooder.close()
                # As in the cases below, one descriptor of slack: the server's own (a log, a timer) may come and go.
                descriptors = server.settle_descriptors(baseline_fd + 1, timeout=10)
                growth = peak - baseline_rss
                ok = growth <= GROWTH_BOUND_KIB and unanswered == 0 and descriptors <= baseline_fd + 1
                record(f"stream core: 2 {protocol} connections flooding GET /api/scenarios, {name}, answers never read",
                       "requests stop being read while answers are unread: memory +64 MiB at most; descriptors back to "
                       "baseline; /healthz answers throughout",
                       ok, f"{sent >> 10} KiB of requests sent; resident +{growth // 1024} MiB (bound 64); descriptors "
                           f"{baseline_fd} → {descriptors}; /healthz slowest {round(slowest, 3)} s, {unanswered} unanswered")
    finally:
        server.stop()


def window_overflow_frame():
    """WINDOW_UPDATE on the connection (stream 0) by 2^31-1: the connection window overflows (RFC 9113 §6.9.1)."""
    return bytes([0, 0, 4, 8, 0, 0, 0, 0, 0]) + (0x7FFFFFFF).to_bytes(4, "big")


async def connection_error_case(quick, record):
    """An HTTP/2 connection error answered with GOAWAY must close the connection and free its streams."""
    server = tls_server("--log-level", "warning")
    try:
        for protocol in ["h2c", "h2"]:
            baseline = server.descriptors()
            port = server.https_port if protocol == "h2" else server.port
            client = H2Client(port, tls=protocol == "h2", reading=True)
            client.open("/channels/e", 10)
            await asyncio.sleep(0.5)
            before = status_counts(server).get("e", 0)
            client.send_raw(window_overflow_frame())
            deadline = time.time() + 5
            while time.time() < deadline and not client.closed:
                await asyncio.sleep(0.05)
            after = status_counts(server).get("e", 0)
            while after and time.time() < deadline + 3:
                await asyncio.sleep(0.1)
                after = status_counts(server).get("e", 0)
            descriptors = server.settle_descriptors(baseline + 1, timeout=5)
            client.close()
            ok = client.goaway is not None and client.closed and before == 10 and after == 0 and descriptors <= baseline + 1
            record(f"stream core: {protocol} connection error (WINDOW_UPDATE overflowing the connection window)",
                   "GOAWAY, then the connection is closed and its streams' slots are free",
                   ok, f"GOAWAY {client.goaway}; closed by the server={client.closed}; subscribers {before} → {after}; descriptors {baseline} → {descriptors}")
    finally:
        server.stop()


async def preface_only_case(quick, record):
    """HTTP/2 connections that send the preface (with or without SETTINGS) and then nothing."""
    idle = 2
    server = tls_server("--idle-timeout", str(idle), "--log-level", "warning")
    try:
        for protocol in ["h2c", "h2"]:
            baseline = server.descriptors()
            port = server.https_port if protocol == "h2" else server.port
            clients = [H2Client(port, tls=protocol == "h2", settings=index % 2 == 0, reading=True) for index in range(20)]
            start = time.time()
            while time.time() - start < idle + 5 and not all(c.closed for c in clients):
                await asyncio.sleep(0.1)
            took = time.time() - start
            closed = sum(c.closed for c in clients)
            for c in clients:
                c.close()
            descriptors = server.settle_descriptors(baseline + 1, timeout=5)
            ok = closed == len(clients) and took < idle + 3 and descriptors <= baseline + 1
            record(f"stream core: 20 {protocol} connections that send the preface and nothing more (--idle-timeout {idle})",
                   "closed after the idle timeout; descriptors back to baseline",
                   ok, f"{closed}/20 closed after {took:.1f} s; descriptors {baseline} → {descriptors}")
    finally:
        server.stop()
    # The first round's critical finding, over HTTP/2: 300 such connections under `ulimit -n 256`.
    server = Server("--log-level", "warning", open_files=256)
    try:
        clients = []
        refused = 0
        for _ in range(300):
            try:
                clients.append(H2Client(server.port, settings=True))
            except OSError:
                refused += 1
        await asyncio.sleep(0.5)
        health = server.health_time()
        for c in clients:
            c.close()
        ok = health is not None
        record("stream core: ulimit -n 256, 300 h2c connections that send the preface and nothing more",
               "they count against the server's limits (past them, closed at once): /healthz answers throughout",
               ok, f"/healthz {health if health is None else round(health, 3)} s; {len(clients)} connected, {refused} refused at connect")
    finally:
        server.stop()


async def run(quick, record):
    await fault_flood_case(quick, record)
    await fault_matrix_case(quick, record)
    await replay_case(quick, record)
    await fast_reader_case(quick, record)
    await tls_window_case(quick, record)
    await pipelined_case(quick, record)
    await h2_request_flood_case(quick, record)
    await connection_error_case(quick, record)
    await preface_only_case(quick, record)
