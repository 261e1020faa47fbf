"""The soak (issue 13): a release server under thousands of subscribers with churn, steady publishes and live
stations, for a chosen duration. Prints resident memory and descriptors over time with their slope over the second
half of the run, lost, duplicated and reordered events, and errors. Exit status 1 on any loss, reordering, error,
or growth past the bounds.

Channel subscribers check every event: each publish carries a sequence number, and a subscriber that is churned
(closed and opened again, as a browser does after a drop) resumes with `Last-Event-ID`, so across its connections
it must see every number once, in order. Station listeners keep the live scenarios busy and count their events."""
import argparse
import asyncio
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server  # noqa: E402

STATIONS = ["clock", "stock-ticker", "server-metrics", "sports-scores"]


class Tally:
    def __init__(self):
        self.lost = 0
        self.duplicated = 0
        self.reordered = 0
        self.errors = []
        self.delivered = 0
        self.station_events = 0
        self.reconnects = 0


class ChannelSubscriber:
    """One logical subscriber of the soak channel, over as many connections as churn gives it."""

    def __init__(self, port, tally):
        self.port = port
        self.tally = tally
        self.last_id = None
        self.expected = None  # next sequence number
        self.task = None
        self.writer = None
        # Set when churn closed the connection: what the read then raises is the drop, not an error.
        self.dropped = False

    async def run(self, stop):
        while not stop.is_set():
            try:
                await self.connection(stop)
            except (OSError, asyncio.IncompleteReadError) as error:
                if self.dropped:
                    self.dropped = False
                elif not stop.is_set():
                    self.tally.errors.append(f"channel subscriber: {error!r}")
                    await asyncio.sleep(0.5)

    async def connection(self, stop):
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer = writer
        self.dropped = False
        resume = f"Last-Event-ID: {self.last_id}\r\n" if self.last_id else ""
        # HTTP/1.0: the stream comes un-chunked, so the bytes are the event stream itself.
        writer.write(f"GET /channels/soak?history=none HTTP/1.0\r\nHost: localhost\r\n{resume}\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.0 200") and not head.startswith(b"HTTP/1.1 200"):
            self.tally.errors.append(f"channel subscriber got {head[:40]!r}")
            writer.close()
            await asyncio.sleep(1)
            return
        buffer = b""
        while not stop.is_set():
            part = await reader.read(65536)
            if not part:
                return  # closed (churn, or the server): reconnect with Last-Event-ID
            buffer += part
            *events, buffer = buffer.split(b"\n\n")
            for event in events:
                self.take(event)

    def take(self, event):
        event_id, data = None, None
        for line in event.split(b"\n"):
            if line.startswith(b"id: "):
                event_id = line[4:].decode()
            elif line.startswith(b"data: "):
                data = line[6:]
        if data is None or not data.startswith(b"seq "):
            return
        number = int(data[4:])
        self.last_id = event_id
        self.tally.delivered += 1
        if self.expected is None:
            self.expected = number + 1
        elif number == self.expected:
            self.expected += 1
        elif number > self.expected:
            self.tally.lost += number - self.expected
            self.expected = number + 1
        elif number == self.expected - 1:
            self.tally.duplicated += 1
        else:
            self.tally.reordered += 1

    def drop(self):
        if self.writer:
            self.dropped = True
            self.writer.close()
            self.tally.reconnects += 1


async def station_listener(port, name, tally, stop):
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(f"GET /streams/{name}?history=none HTTP/1.0\r\nHost: localhost\r\n\r\n".encode())
            await reader.readuntil(b"\r\n\r\n")
            while not stop.is_set():
                part = await reader.read(65536)
                if not part:
                    break
                tally.station_events += part.count(b"\n\n")
            writer.close()
        except (OSError, asyncio.IncompleteReadError) as error:
            if not stop.is_set():
                tally.errors.append(f"station listener: {error!r}")
                await asyncio.sleep(0.5)


async def publisher(server, rate, tally, stop, counter):
    loop = asyncio.get_running_loop()
    interval = 1 / rate
    next_time = time.monotonic()
    while not stop.is_set():
        body = json.dumps({"data": f"seq {counter[0]}"}).encode()
        status, answer = await loop.run_in_executor(None, server.post, "/generateEvent?channel=soak", body, "application/json")
        if status != 202:
            tally.errors.append(f"publish answered {status}: {answer[:80]!r}")
        else:
            counter[0] += 1
        next_time += interval
        await asyncio.sleep(max(0, next_time - time.monotonic()))


def slope(samples):
    """Least-squares slope of (t, value), per minute."""
    if len(samples) < 2:
        return 0.0
    n = len(samples)
    mean_t = sum(t for t, _ in samples) / n
    mean_v = sum(v for _, v in samples) / n
    var = sum((t - mean_t) ** 2 for t, _ in samples)
    if var == 0:
        return 0.0
    return sum((t - mean_t) * (v - mean_v) for t, v in samples) / var * 60


async def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=1)
    parser.add_argument("--subscribers", type=int, default=2000, help="channel subscribers (station listeners are a quarter more)")
    parser.add_argument("--rate", type=float, default=5, help="publishes a second")
    parser.add_argument("--churn", type=float, default=20, help="channel subscribers dropped and resumed a second")
    parser.add_argument("--max-memory-slope", type=float, default=2, help="MiB/min allowed over the second half (a short run needs more: warm-up)")
    parser.add_argument("--markdown", help="also write the summary and samples to this file")
    args = parser.parse_args()

    server = Server("--publish-rate", "100000", "--log-level", "warning")
    tally = Tally()
    stop = asyncio.Event()
    counter = [0]
    samples = []
    try:
        subscribers = [ChannelSubscriber(server.port, tally) for _ in range(args.subscribers)]
        tasks = []
        for index, subscriber in enumerate(subscribers):
            tasks.append(asyncio.create_task(subscriber.run(stop)))
            if index % 200 == 199:
                await asyncio.sleep(0.05)
        for index in range(args.subscribers // 4):
            tasks.append(asyncio.create_task(station_listener(server.port, STATIONS[index % len(STATIONS)], tally, stop)))
        await asyncio.sleep(2)
        tasks.append(asyncio.create_task(publisher(server, args.rate, tally, stop, counter)))
        start = time.monotonic()
        duration = args.minutes * 60
        next_sample = start
        print(f"soak: {args.subscribers} channel subscribers, {args.subscribers // 4} station listeners, {args.rate}/s publishes, "
              f"{args.churn}/s churn, {args.minutes} min, server port {server.port}", flush=True)
        print("   t (s)  resident (MiB)  descriptors  subscribers  delivered  lost  errors", flush=True)
        while time.monotonic() - start < duration:
            for subscriber in random.sample(subscribers, min(len(subscribers), max(1, int(args.churn)))):
                subscriber.drop()
            now = time.monotonic()
            if now >= next_sample:
                health = json.loads(server.get("/healthz")[1])
                sample = (now - start, server.rss_kib() / 1024, server.descriptors(), health["subscribers"])
                samples.append(sample)
                print(f"{sample[0]:8.0f}  {sample[1]:14.1f}  {sample[2]:11d}  {sample[3]:11d}  {tally.delivered:9d}  {tally.lost:4d}  {len(tally.errors):6d}", flush=True)
                next_sample += max(5, duration / 30)
            await asyncio.sleep(1)
        await asyncio.sleep(2)  # the last publishes arrive
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        server.stop()

    second_half = [s for s in samples if s[0] >= samples[-1][0] / 2]
    rss_slope = slope([(t, rss) for t, rss, _, _ in second_half])
    fd_slope = slope([(t, fd) for t, _, fd, _ in second_half])
    summary = [
        ("duration", f"{args.minutes:g} min"),
        ("channel subscribers / station listeners", f"{args.subscribers} / {args.subscribers // 4}"),
        ("publishes", f"{counter[0]} at {args.rate:g}/s"),
        ("churn", f"{tally.reconnects} drops, each resumed with Last-Event-ID"),
        ("channel events delivered", str(tally.delivered)),
        ("station events delivered", str(tally.station_events)),
        ("lost / duplicated / reordered", f"{tally.lost} / {tally.duplicated} / {tally.reordered}"),
        ("errors", str(len(tally.errors)) + (f" (first: {tally.errors[0]})" if tally.errors else "")),
        ("resident memory", f"{samples[0][1]:.1f} → {max(s[1] for s in samples):.1f} (peak) → {samples[-1][1]:.1f} MiB; slope over the second half {rss_slope:+.2f} MiB/min"),
        ("descriptors", f"{samples[0][2]} → {samples[-1][2]}; slope over the second half {fd_slope:+.2f}/min"),
    ]
    print()
    for name, value in summary:
        print(f"{name}: {value}")
    # Bounds: no loss or error; memory and descriptors flat (a leak of one 4 KiB buffer per churned connection would
    # show as tens of MiB per minute at 20/s).
    fd_drift = abs(samples[-1][2] - samples[0][2])
    ok = (tally.lost == 0 and tally.reordered == 0 and tally.duplicated == 0 and not tally.errors
          and rss_slope < args.max_memory_slope and fd_drift <= 2 * args.churn + 10)
    if args.markdown:
        with open(args.markdown, "w") as out:
            out.write("| measure | result |\n|---|---|\n" + "".join(f"| {n} | {v} |\n" for n, v in summary))
            out.write("\n| t (s) | resident (MiB) | descriptors | subscribers |\n|---|---|---|---|\n")
            out.write("".join(f"| {t:.0f} | {r:.1f} | {d} | {s} |\n" for t, r, d, s in samples))
    print("soak: " + ("pass" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
