#!/usr/bin/env python3
"""The publish ceiling: accepted publishes a second and publish latency, one process against a cluster.

Usage: publish.py CUECAST_BINARY POSTGRES_URL [SECONDS] [CONNECTIONS]
For 1 process (no database) and for 1 and 3 `cuecast serve --cluster URL` instances, runs one `wrk` per instance
(Debian's wrk, CONNECTIONS keep-alive connections each, default 32) for SECONDS (default 10), every connection
POSTing small JSON events to /generateEvent over 8 channels. Prints accepted publishes a second (202 answers),
refusals, p50/p99 publish latency as wrk measures it, and checks that PostgreSQL's numbering holds exactly the
accepted count. Everything runs on this machine: the load tool shares its two cores with the servers, so a second
table says where the CPU went during each run: the instances, this PostgreSQL (its postmaster and every child of
it), the wrk processes, and the rest of the machine (other work, from /proc/stat), in milliseconds of CPU per
accepted publish and in cores.
"""
import os, re, resource, socket, subprocess, sys, tempfile, time, urllib.request

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


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User plus system CPU seconds of a live process; 0 if it is gone."""
    try:
        stat = open(f"/proc/{pid}/stat").read()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def postgres_processes():
    """This database's postmaster and its children (backends, writers), by process id: other PostgreSQL servers on
    the machine are not counted."""
    # The checkpointer lives as long as the server (a psql backend would be gone by the time /proc is read).
    backend = int(psql("SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'"))
    postmaster = int(open(f"/proc/{backend}/stat").read().rsplit(")", 1)[1].split()[1])
    children = [postmaster]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1]) == postmaster:
                    children.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return children


def machine_busy():
    """Busy and total CPU seconds of the whole machine so far."""
    values = [int(v) for v in open("/proc/stat").readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / TICKS, sum(values[:8]) / TICKS


def metric(port, name):
    """A counter without labels from an instance's /metrics; 0 when it is not listed (or not counted by this build)."""
    scrape = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    found = re.search(rf"^{name} (\S+)$", scrape, re.M)
    return float(found.group(1)) if found else 0.0


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
        database = postgres_processes() if cluster else []
        database_before = {pid: cpu_seconds(pid) for pid in database}
        instances_before = sum(cpu_seconds(process.pid) for process, _ in servers)
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        busy_before, total_before = machine_busy()
        names = ("cuecast_cluster_inserted_rows_total", "cuecast_cluster_insert_statements_total",
                 "cuecast_cluster_rows_notified_total", "cuecast_cluster_rows_read_total")
        # Counted from here: an instance's start reads back the history earlier runs left in the database.
        counters_before = {name: sum(metric(port, name) for _, port in servers) for name in names} if cluster else {}
        loads = [subprocess.Popen(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", lua.name,
                                   f"http://127.0.0.1:{port}"], stdout=subprocess.PIPE, text=True) for _, port in servers]
        outputs = [load.communicate()[0] for load in loads]
        busy_after, total_after = machine_busy()
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        instances_cpu = sum(cpu_seconds(process.pid) for process, _ in servers) - instances_before
        # Backends started during the run (none are expected: each instance holds its connections) count in full.
        database_cpu = sum(cpu_seconds(pid) - database_before.get(pid, 0.0) for pid in (postgres_processes() if cluster else []))
        wrk_cpu = (children_after.ru_utime + children_after.ru_stime) - (children_before.ru_utime + children_before.ru_stime)
        counters = {name: sum(metric(port, name) for _, port in servers) - counters_before[name] for name in names} if cluster else {}
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
    busy = busy_after - busy_before
    wall = (total_after - total_before) / os.cpu_count()
    other = busy - instances_cpu - database_cpu - wrk_cpu
    per = 1000 / max(total, 1)
    cpu_rows.append(f"| {label} | {instances} | {instances_cpu * per:.3f} | {database_cpu * per:.3f} | {wrk_cpu * per:.3f} | {other * per:.3f} "
                    f"| {instances_cpu / wall:.2f} | {database_cpu / wall:.2f} | {wrk_cpu / wall:.2f} | {other / wall:.2f} "
                    f"| {(total_after - total_before - busy) / wall:.2f} |")
    if cluster:
        statements = counters["cuecast_cluster_insert_statements_total"]
        batch_rows.append(f"| {label} | {instances} | {counters['cuecast_cluster_inserted_rows_total']:,.0f} | {statements:,.0f} "
                          f"| {counters['cuecast_cluster_inserted_rows_total'] / max(statements, 1):.1f} "
                          f"| {counters['cuecast_cluster_rows_notified_total']:,.0f} | {counters['cuecast_cluster_rows_read_total']:,.0f} |")
    return total, stored, connections * instances


cpu_rows = []
batch_rows = []
print(f"wrk, {seconds} s, {connections} connections per instance, 8 channels, events of about 40 bytes\n")
print("| server | instances | connections | accepted/s | refused | p50 ms (worst instance) | p99 ms (worst instance) | stored in PostgreSQL |")
print("|---|---|---|---|---|---|---|---|")
run("one process, in memory", 1, False)
ok = True
for instances in (1, 3):
    accepted, stored, in_flight = run("cluster", instances, True)
    # wrk stops with a request in flight on each connection: those may be stored without being counted.
    ok = ok and accepted <= stored <= accepted + in_flight
print("\nCPU during each run: ms per accepted publish, then cores (of the machine's", os.cpu_count(), "), by whom\n")
print("| server | instances | instances ms | PostgreSQL ms | wrk ms | rest of machine ms | instances cores | PostgreSQL cores | wrk cores | rest cores | idle cores |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for row in cpu_rows:
    print(row)
print("\nStatements and rows during the load, the instances' /metrics together (a build without a counter shows 0)\n")
print("| server | instances | rows stored | statements | rows per statement | rows applied from NOTIFY | rows read back |")
print("|---|---|---|---|---|---|---|")
for row in batch_rows:
    print(row)
print("\nevery accepted publish stored (plus at most the one in flight per connection when wrk stopped)" if ok
      else "\nMISMATCH between accepted and stored publishes")
sys.exit(0 if ok else 1)
