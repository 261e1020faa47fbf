#!/usr/bin/env python3
"""The publish ceiling: accepted publishes a second and publish latency, one process against a cluster.

Usage: publish.py CUECAST_BINARY POSTGRES_URL [SECONDS] [CONNECTIONS]
For 1 process (no database) and for 1 and 3 `cuecast serve --cluster URL` instances, runs one `wrk` per instance
(Debian's wrk, CONNECTIONS keep-alive connections each, default 32) for SECONDS (default 10), every connection
POSTing small JSON events to /generateEvent over 8 channels. Prints accepted publishes a second (202 answers),
refusals, p50/p99 publish latency as wrk measures it, and checks that PostgreSQL's numbering holds exactly the
accepted count. Everything runs on this machine: the load tool shares its two cores with the servers.
"""
import os, re, socket, subprocess, sys, tempfile, time, urllib.request

binary, url = sys.argv[1], sys.argv[2]
seconds = int(sys.argv[3]) if len(sys.argv) > 3 else 10
connections = int(sys.argv[4]) if len(sys.argv) > 4 else 32
scenarios = tempfile.mkdtemp()
script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
script.write("""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/generateEvent?channel=" .. CHANNEL_PREFIX .. (n % 8), nil, '{"event":"tick","data":"publish ' .. n .. '"}')
end
""")
script.close()


def serve(*extra):
    """Starts `cuecast serve` on a free port (warnings only: the request log would cost as much as the publishes)
    and waits until /healthz answers, with the cluster link up when there is one."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tempfile.NamedTemporaryFile(delete=False)
    process = subprocess.Popen([binary, "serve", "--port", str(port), "--scenarios", scenarios, "--public", "/nonexistent",
                                "--publish-rate", "1000000", "--log-level", "warning", *extra], stdout=log, stderr=log)
    for _ in range(300):
        try:
            health = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read().decode()
            if not extra or '"link":"up"' in health:
                return process, port
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit("server did not start: " + open(log.name).read())


def psql(sql):
    return subprocess.run(["psql", url, "-Atc", sql], capture_output=True, text=True, check=True).stdout.strip()


def milliseconds(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def run(label, instances, cluster):
    prefix = f"pub{os.getpid()}x{time.time_ns() % 10**9}x"
    servers = [serve(*(["--cluster", url] if cluster else [])) for _ in range(instances)]
    try:
        time.sleep(0.5)
        source = open(script.name).read().replace("CHANNEL_PREFIX", f'"{prefix}"')
        lua = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        lua.write(source)
        lua.close()
        loads = [subprocess.Popen(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", lua.name,
                                   f"http://127.0.0.1:{port}"], stdout=subprocess.PIPE, text=True) for _, port in servers]
        outputs = [load.communicate()[0] for load in loads]
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait()
    total = refused = 0
    p50s, p99s = [], []
    for output in outputs:
        requests = int(re.search(r"(\d+) requests in", output).group(1))
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        refused += int(bad.group(1)) if bad else 0
        total += requests - (int(bad.group(1)) if bad else 0)
        p50s.append(milliseconds(re.search(r"50%\s+(\S+)", output).group(1)))
        p99s.append(milliseconds(re.search(r"99%\s+(\S+)", output).group(1)))
    stored = "-"
    if cluster:
        stored = int(psql(f"SELECT coalesce(sum(last_seq), 0) FROM cuecast_streams WHERE stream LIKE 'channel:{prefix}%'"))
    rate = total / seconds
    print(f"| {label} | {instances} | {connections * instances} | {rate:,.0f} | {refused} | {max(p50s):.1f} | {max(p99s):.1f} | {stored} |",
          flush=True)
    return total, stored, connections * instances


print(f"wrk, {seconds} s, {connections} connections per instance, 8 channels, events of about 40 bytes\n")
print("| server | instances | connections | accepted/s | refused | p50 ms (worst instance) | p99 ms (worst instance) | stored in PostgreSQL |")
print("|---|---|---|---|---|---|---|---|")
run("one process, in memory", 1, False)
ok = True
for instances in (1, 3):
    accepted, stored, in_flight = run("cluster", instances, True)
    # wrk stops with a request in flight on each connection: those may be stored without being counted.
    ok = ok and accepted <= stored <= accepted + in_flight
print("\nevery accepted publish stored (plus at most the one in flight per connection when wrk stopped)" if ok
      else "\nMISMATCH between accepted and stored publishes")
sys.exit(0 if ok else 1)
