#!/usr/bin/env python3
"""What the PostgreSQL hop adds: publish-to-delivery latency, one instance against two clustered ones.

Usage: latency.py CUECAST_BINARY POSTGRES_URL [EVENTS]
Starts `cuecast serve` alone, then two `cuecast serve --cluster URL`; publishes EVENTS events one after another
(each as soon as the previous one arrived) and times each from the POST until a subscriber (on the same instance
alone; on the *other* instance in the cluster) reads it. Prints p50/p99 for both, and lost/reordered counts.
"""
import http.client, json, os, re, socket, subprocess, sys, tempfile, time

binary, url = sys.argv[1], sys.argv[2]
count = int(sys.argv[3]) if len(sys.argv) > 3 else 300
scenarios = tempfile.mkdtemp()

def serve(*extra):
    log = tempfile.NamedTemporaryFile(delete=False)
    process = subprocess.Popen([binary, "serve", "--port", "0", "--scenarios", scenarios, "--public", "/nonexistent",
                                "--publish-rate", "100000", "--log-level", os.environ.get("LOG_LEVEL", "info"), *extra], stdout=log, stderr=log)
    for _ in range(300):
        text = open(log.name).read()
        ready = re.search(r"at http://127\.0\.0\.1:(\d+)/", text)
        if ready and (not extra or "cluster link up" in text):
            return process, int(ready.group(1))
        time.sleep(0.05)
    raise SystemExit("server did not start: " + open(log.name).read())

def subscribe(port, channel):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(f"GET /channels/{channel} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n".encode())
    return sock.makefile("rb")

def run(publish_port, listen_port, label):
    channel = f"lat{os.getpid()}-{time.time_ns()}"
    stream = subscribe(listen_port, channel)
    publisher = http.client.HTTPConnection("127.0.0.1", publish_port)
    samples, ids = [], []
    for n in range(count):
        start = time.perf_counter_ns()
        publisher.request("POST", f"/generateEvent?channel={channel}", body=json.dumps({"data": str(n)}),
                          headers={"Content-Type": "application/json"})
        publisher.getresponse().read()
        while True:
            line = stream.readline()
            if line.startswith(b"id: "):
                ids.append(int(line[4:].strip()))
            if line.startswith(b"data: "):
                samples.append((time.perf_counter_ns() - start) / 1e6)
                break
    samples.sort()
    lost = count - len(set(ids))
    reordered = sum(1 for a, b in zip(ids, ids[1:]) if b <= a)
    print(f"{label}: {count} events, p50 {samples[len(samples)//2]:.2f} ms, p99 {samples[int(len(samples)*0.99)]:.2f} ms, "
          f"lost {lost}, reordered {reordered}")

alone, alone_port = serve()
a, a_port = serve("--cluster", url)
b, b_port = serve("--cluster", url)
try:
    run(alone_port, alone_port, "one instance (publish and listen on it)")
    run(a_port, b_port, "cluster (publish on A, listen on B)")
finally:
    for process in (alone, a, b):
        process.terminate()
        process.wait(10)
