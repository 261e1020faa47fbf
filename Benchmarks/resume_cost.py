"""What resuming a solo stream costs, by how far back the `Last-Event-ID` is (issue 23).

For `Last-Event-ID` 10, 200,000 and 1,000,000 on the endless solo `dice` (at ?speed=100, the fastest allowed, so its cues
are 10 ms apart and the wait for the next one does not hide the cost): the time to the response head (what the event loop
spends on the request) and to the first event (the whole search), median of N; then /healthz's worst latency
while twenty streams resume at 200,000 at once. Run: `python3 Benchmarks/resume_cost.py` (CUECAST=path picks the
executable; the release build by default)."""
import asyncio
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Reliability"))
from harness import Server  # noqa: E402


async def one(port, last_event_id):
    start = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    header = f"Last-Event-ID: {last_event_id}\r\n" if last_event_id else ""
    writer.write(f"GET /streams/dice?speed=100 HTTP/1.1\r\nHost: localhost\r\n{header}\r\n".encode())
    await writer.drain()
    await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    head = time.monotonic() - start
    buffer = b""
    while b"event: dieRoll" not in buffer:
        buffer += await asyncio.wait_for(reader.read(65536), 120)
    first = time.monotonic() - start
    writer.close()
    return head, first


async def main():
    runs = int(os.environ.get("RUNS", "9"))
    server = Server(public=False)
    try:
        print("| Last-Event-ID | time to head (median) | time to first event (median) |\n|---|---|---|")
        for ident in (None, "10", "200000", "1000000"):
            samples = [await one(server.port, ident) for _ in range(runs)]
            head = statistics.median(s[0] for s in samples) * 1000
            first = statistics.median(s[1] for s in samples) * 1000
            print(f"| {ident or '(none: a fresh start)'} | {head:.1f} ms | {first:.1f} ms |")
        probes = []

        async def probe():
            for _ in range(20):
                probes.append(await asyncio.to_thread(server.health_time))
                await asyncio.sleep(0.01)

        size = int(os.environ.get("CROWD", "20"))
        crowd, _ = await asyncio.gather(asyncio.gather(*[one(server.port, "200000") for _ in range(size)]), probe())
        worst = max(p for p in probes if p is not None) * 1000
        print(f"\n{size} streams resuming at 200000 at once: slowest head {max(c[0] for c in crowd) * 1000:.0f} ms, "
              f"slowest first event {max(c[1] for c in crowd) * 1000:.0f} ms; /healthz worst {worst:.1f} ms over {len(probes)} probes")
    finally:
        server.stop()


if __name__ == "__main__":
    asyncio.run(main())
