"""The conformance lab's surface under hostile clients: it notes every request of every run (method, headers, body),
so a client that opens many runs with large bodies and headers must find that memory bounded (ConformanceLab keeps
1,000 runs, 8 requests a run, 256 bytes a header value, 1 KiB of body), and bad grading input gets a 4xx."""
import asyncio
import concurrent.futures
import urllib.error
import urllib.request

from harness import Server


def hostile_request(port, run, body, header, method="POST"):
    """A request the lab notes whole: POST on ld-post, or REPORT (LaunchDarkly's method) on ld-report."""
    case = "ld-report" if method == "REPORT" else "ld-post"
    request = urllib.request.Request(f"http://127.0.0.1:{port}/conformance/{case}?run={run}", data=body, method=method,
                                     headers={"Content-Type": header, "Accept": header, "Cache-Control": header})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


async def many_runs(quick, record):
    runs = 3000 if quick else 20000
    server = Server()
    try:
        baseline_fds = server.descriptors()
        baseline = server.rss_kib()
        body = b"x" * 60_000
        header = "y" * 4_000  # three of them: under the HTTP parser's limit on a head (about 16 KB)
        peak = baseline
        statuses = {}
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            for start in range(0, runs, 500):
                batch = [pool.submit(hostile_request, server.port, f"h{n}", body, header, ("POST", "REPORT")[n % 2])
                         for n in range(start, min(start + 500, runs))]
                for future in batch:
                    status = future.result()
                    statuses[status] = statuses.get(status, 0) + 1
                peak = max(peak, server.rss_kib())
        # Grading input a client gets wrong: not JSON, not the shape, too large.
        bad = [server.post("/api/conformance/ld-post/grade?run=h1", b, "application/json")[0]
               for b in (b"{not json", b"[1]", b"{\"events\": [{\"type\": 1}]}")]
        huge = server.post("/api/conformance/ld-post/grade?run=h1", b"{\"events\": [" + b" " * (9 << 20) + b"]}", "application/json")[0]
        # A body past the 64 KiB the lab reads of a case's request, on either method: 413, not kept.
        oversized = [hostile_request(server.port, "big", b"z" * 100_000, "a", method) for method in ("POST", "REPORT")]
        fds = server.settle_descriptors(baseline_fds + 2)
        grown = (peak - baseline) / 1024
        ok = (statuses.get(200, 0) == runs and grown < 64 and all(s == 400 for s in bad) and huge == 413 and oversized == [413, 413]
              and fds <= baseline_fds + 2)
        record(f"conformance lab: {runs} runs, each a POST or a REPORT with a 60 KB body and three 4 KB headers",
               "the lab keeps a bounded digest (RSS grows < 64 MiB); bad grading input 400, 9 MiB 413; a 100 KB case body 413 on "
               "POST and REPORT; descriptors back",
               ok, f"statuses {statuses}; RSS {baseline // 1024} -> peak {peak // 1024} MiB (+{grown:.1f}); bad input {bad}, "
                   f"9 MiB body {huge}; 100 KB case bodies {oversized}; descriptors {baseline_fds} -> {fds}")
    finally:
        server.stop()


async def run(quick, record):
    await many_runs(quick, record)
