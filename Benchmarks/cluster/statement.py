#!/usr/bin/env python3
"""PostgreSQL's CPU per batch statement, without any Cuecast process: the publish statement of each git revision.

Usage: statement.py POSTGRES_URL [STATEMENTS] REV...   (run from the repository; STATEMENTS defaults to 1000)
For each revision, takes the batch statement from its source (`ClusterBatchStatement.sql`, or before it existed the
CTE in `ClusterInsertQueue`), and runs it STATEMENTS times with pgbench, one client, each time a batch of 16 rows
over 8 streams (what an instance sends under `publish.py`'s load), sent unnamed (as postgres-nio sends a query) and
prepared. Prints PostgreSQL's CPU per statement: this server's postmaster and its children, read from /proc, the
finished pgbench backend included. The streams keep their rows between runs, as in a real cluster, so later runs
of a revision that trims in every batch meet more dead index entries: run the revisions alternately.
"""
import glob, json, os, re, subprocess, sys, tempfile, time

url = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 1000
revisions = [arg for arg in sys.argv[2:] if not arg.isdigit()]
pgbench = sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))[-1]
TICKS = os.sysconf("SC_CLK_TCK")


def swift_string(text, name):
    """The body of `static let NAME … = \"\"\"…\"\"\"`, its Swift interpolations and escapes resolved."""
    found = re.search(rf'static let {name}[^=]*= """\n(.*?)"""', text, re.S)
    if not found:
        return None
    body = found.group(1).replace("\\(ClusterSchema.notifyChannel)", "cuecast").replace("\\(ClusterNotice.payloadLimit)", "7900")
    return body.replace("\\\\", "\\")


def statement(revision):
    def show(path):
        shown = subprocess.run(["git", "show", f"{revision}:{path}"], capture_output=True, text=True)
        return shown.stdout if shown.returncode == 0 else ""
    batch = json.dumps([{"ord": i, "stream": f"channel-bench{i % 8}", "kind": 0, "event_type": "tick", "data": f"publish {i}",
                         "event_id": None, "numbered": True, "retry": None, "pass": 0, "offset_us": 0, "disconnect": False,
                         "history": 100} for i in range(16)], separators=(", ", ": "))
    literal = "'" + batch.replace("'", "''") + "'"
    sql = swift_string(show("Sources/CuecastServer/Cluster/ClusterBatchStatement.swift"), "sql")
    if sql:
        return sql.replace("$1", literal)
    queue = show("Sources/CuecastServer/Cluster/ClusterInsertQueue.swift")
    head, tail = swift_string(queue, "batchSQLHead"), swift_string(queue, "batchSQLTail")
    if head is None or tail is None:
        raise SystemExit(f"{revision}: no batch statement found")
    return head.rstrip("\n") + literal + tail


def fields(pid):
    text = open(f"/proc/{pid}/stat").read()
    return text[text.rindex(")") + 2:].split()


def database_cpu(postmaster):
    """The postmaster's own and reaped children's CPU, plus every live child's."""
    total = sum(int(value) for value in fields(postmaster)[11:15])
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                values = fields(entry)
                if int(values[1]) == postmaster:
                    total += int(values[11]) + int(values[12])
            except (OSError, IndexError, ValueError):
                pass
    return total / TICKS


checkpointer = subprocess.run(["psql", url, "-Atc", "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'"],
                              capture_output=True, text=True, check=True).stdout.strip()
postmaster = int(fields(int(checkpointer))[1])
print(f"| revision | sent | ms of PostgreSQL CPU per statement of 16 rows | per row |\n|---|---|---:|---:|")
for revision in revisions:
    script = tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False)
    # pgbench reads `:name` as a variable: the JSON above has a space after each colon, the streams none.
    script.write(statement(revision).strip() + ";\n")
    script.close()
    for mode in ("extended", "prepared"):
        before = database_cpu(postmaster)
        subprocess.run([pgbench, "-n", "-M", mode, "-t", str(count), "-c", "1", "-f", script.name, url], capture_output=True, check=True)
        time.sleep(1)  # until the postmaster has reaped pgbench's backend and counted its CPU
        spent = (database_cpu(postmaster) - before) * 1000 / count
        print(f"| {revision} | {'unnamed' if mode == 'extended' else 'prepared'} | {spent:.2f} | {spent / 16:.3f} |", flush=True)
