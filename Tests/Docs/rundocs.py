#!/usr/bin/env python3
"""Runs the command blocks of README.md and docs/*.md and compares what they print with what the docs say.

The docs are the source: blocks are read from the markdown itself, so a new block is tested as soon as it is written,
and a doc line that stops being true fails CI. The rules (README's "Tests" section says the same):

* A fenced block is a *command block* when its info string is sh, bash, shell or console, or when its first line
  starts with `$ `, `cuecast `, `curl ` or `scripts/`. Other blocks (JSON, nginx, plain output) are not run.
* In a block with `$ ` lines (a transcript), each `$ ` line is a command and the lines up to the next one are its
  output, stdout and stderr together. In a block without them, every line that is not blank or a `#` comment is a
  command, and only its success (exit 0, or still running) is checked.
* Output matching: `…` on a line of its own stands for any number of lines; `…` inside a line for any text; clock
  times (`13:22:20.291`) and ISO 8601 times (`2026-11-30T14:47:14.210Z`, `2026-11-30T14:47:14Z`) match any such
  time; trailing spaces and CRs are ignored. A command that is still running once its output has all been seen
  (a stream) is stopped there and passes; one that prints nothing and is still running after a moment (a server,
  `curl -N` in "terminal 1", a `… &`) keeps running in the background: to the end of its block, or for a server to
  the end of the file.
* Each file runs in a scratch folder holding copies of scenarios/ and public/, plus Tests/Docs/fixtures/<file>/ (files
  a doc's commands use, such as the broken scenario `cuecast validate broken.json` reports on). Blocks run in order,
  so one may use what an earlier one made (`cuecast cert`, then `serve --tls-cert certs/...`).
* A server: the runner serves the scratch folder on a free port for every file. Ports 8080, 8443 and 9464 in
  commands and output are that port and two more free ones. A `cuecast serve` in a doc takes the runner's place
  when it runs in the background (`… &`, or a bare command that keeps running): the runner stops its own first, and
  `CUECAST_PORT` gives the doc's server the same port. curl runs without its progress meter (`~/.curlrc`), as at
  a terminal. A `$ cuecast serve` shown with its output is one that stops
  at once (a bad option, a port in use), and runs beside the runner's server. When no doc server is running, the
  runner's is started again before the next command.
* Each command runs in a shell of its own; `export NAME=value` is kept for the file's later commands.
* `cuecast` is on PATH: the one `scripts/install` put in a scratch PREFIX/bin once README's install block has run
  (with CUECAST_INSTALL_CONFIGURATION=debug, to reuse the test build), else the test build's.
* A block that cannot run here is marked on the line before its fence: `<!-- doctest: skip REASON -->` (a public
  host name, a real certificate authority, another operating system). Keep them few: the summary lists them.

Usage: Tests/Docs/rundocs.py [--cuecast-bin DIR] [FILE.md ...]   (default: README.md docs/*.md)
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "Docs" / "fixtures"
COMMAND_INFOS = {"sh", "bash", "shell", "console", "bat", "cmd", "powershell"}
COMMAND_STARTS = ("$ ", "cuecast ", "curl ", "scripts/")
MARK = re.compile(r"<!--\s*doctest:\s*(\w+)\s*(.*?)\s*-->")
DOC_PORTS = (8080, 8443, 9464)
SETTLE_SECONDS = 1.5       # a command silent and still running after this is left in the background
OUTPUT_TIMEOUT = 300.0     # a command's whole output must have appeared by then: scripts/install may rebuild for a minute or two on a busy machine


class Block:
    def __init__(self, path, line, info, lines, mark):
        self.path, self.line, self.info, self.lines, self.mark = path, line, info, lines, mark

    @property
    def where(self):
        shown = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{shown}:{self.line}"

    @property
    def is_command_block(self):
        first = next((l for l in self.lines if l.strip()), "")
        return self.info in COMMAND_INFOS or first.startswith(COMMAND_STARTS)

    def steps(self):
        """(command, expected output lines or None) in order."""
        if any(l.startswith("$ ") for l in self.lines):
            steps, current = [], None
            for line in self.lines:
                if line.startswith("$ "):
                    current = [line[2:], []]
                    steps.append(current)
                elif current is not None:
                    if current[0].endswith("\\") and not current[1]:
                        current[0] = current[0][:-1] + line.strip()
                        continue
                    current[1].append(line)
            return [(command, trim(expected)) for command, expected in steps]
        commands, pending = [], ""
        for line in self.lines:
            text = pending + line.strip()
            if text.endswith("\\"):
                pending = text[:-1] + " "
                continue
            pending = ""
            if text and not text.startswith("#"):
                commands.append((text, None))
        return commands


def trim(lines):
    lines = [l.rstrip() for l in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def blocks_of(path):
    blocks, lines = [], path.read_text(encoding="utf-8").split("\n")
    index = 0
    while index < len(lines):
        fence = re.match(r"^(\s*)(```+|~~~+)\s*([\w+-]*)", lines[index])
        if not fence:
            index += 1
            continue
        indent, marker, info = fence.group(1), fence.group(2), fence.group(3).lower()
        start = index
        body = []
        index += 1
        while index < len(lines) and not lines[index].strip().startswith(marker):
            line = lines[index]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            index += 1
        index += 1
        previous = next((lines[i] for i in range(start - 1, -1, -1) if lines[i].strip()), "")
        mark = MARK.search(previous)
        blocks.append(Block(path, start + 1, info, body, (mark.group(1), mark.group(2)) if mark else None))
    return blocks


# ---- Output matching ----------------------------------------------------------------------------------------------

ISO_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z"
CLOCK_TIME = r"\d\d:\d\d:\d\d\.\d{3}"


def line_pattern(expected):
    parts = []
    for piece in re.split(f"({ISO_TIME}|{CLOCK_TIME}|…)", expected):
        if piece == "…":
            parts.append(".*")
        elif re.fullmatch(ISO_TIME, piece):
            parts.append(ISO_TIME)
        elif re.fullmatch(CLOCK_TIME, piece):
            parts.append(CLOCK_TIME)
        else:
            parts.append(re.escape(piece))
    return re.compile("".join(parts) + r"\Z")


def matches(expected, actual, finished):
    """Whether `actual` lines show all of `expected`; when not `finished`, `actual` may go on past it."""
    patterns = [None if l.strip() == "…" else line_pattern(l) for l in expected]
    memo = {}

    def go(e, a):
        key = (e, a)
        if key in memo:
            return memo[key]
        if e == len(patterns):
            result = not finished or all(not l.strip() for l in actual[a:])
        elif patterns[e] is None:
            result = any(go(e + 1, k) for k in range(a, len(actual) + 1))
        elif a < len(actual) and patterns[e].match(actual[a]):
            result = go(e + 1, a + 1)
        else:
            result = False
        memo[key] = result
        return result

    return go(0, 0)


# ---- Processes ----------------------------------------------------------------------------------------------------

class Command:
    """A shell command with stdout and stderr in one pipe, read as it comes."""

    def __init__(self, command, cwd, env):
        self.text = command
        self.process = subprocess.Popen(
            ["bash", "-c", command], cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.output = bytearray()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while chunk := self.process.stdout.read1(65536):
            self.output.extend(chunk)

    def lines(self):
        text = self.output.decode("utf-8", "replace")
        return [l.rstrip("\r").rstrip() for l in text.split("\n")]

    @property
    def running(self):
        return self.process.poll() is None

    def stop(self):
        if self.running:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait()
        self.reader.join(2)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.05)
    return False


def is_serve(command):
    words = re.sub(r"^(\w+=\S*\s+)*", "", command).split()
    return len(words) >= 2 and words[0].endswith("cuecast") and words[1] == "serve"


class FileRun:
    """One markdown file's blocks, in order, in one scratch folder."""

    def __init__(self, path, env, scratch):
        self.path, self.scratch = path, scratch
        self.ports = {port: free_port() for port in DOC_PORTS}
        self.env = dict(env)
        self.background = []
        self.runner_server = None
        self.failures = []

    def substitute(self, text):
        for doc, real in self.ports.items():
            text = re.sub(rf"(?<![\d.]){doc}(?!\d)", str(real), text)
        return text

    def doc_server_running(self):
        return any(is_serve(c.text) and c.running for c in self.background)

    def ensure_server(self):
        if self.doc_server_running() or (self.runner_server and self.runner_server.running):
            return
        port = self.ports[8080]
        self.runner_server = Command(f"cuecast serve --port {port}", self.scratch, self.env)
        if not wait_for_port(port, 20):
            self.failures.append(f"{self.path.name}: the runner's server did not start:\n" + "\n".join(self.runner_server.lines()))

    def stop_runner_server(self):
        if self.runner_server:
            self.runner_server.stop()
            self.runner_server = None

    def run_step(self, block, command, expected):
        command = self.substitute(command)
        export = re.fullmatch(r"export (\w+)=(.*)", command.strip())
        if export:
            # Each command is its own shell: an `export` is kept by the runner for the file's later commands.
            value = subprocess.run(["bash", "-c", f"printf %s {export.group(2)}"], env=self.env, capture_output=True, text=True).stdout
            self.env[export.group(1)] = value
            return
        expected = [self.substitute(l) for l in expected] if expected is not None else None
        background = command.rstrip().endswith("&")
        if background:
            command = command.rstrip()[:-1].rstrip()
        # A server the doc starts (in the background, or in a block of bare commands) takes the runner's place; a
        # `$ cuecast serve` whose output the doc shows is one that stops at once (a bad option, a port in use).
        if is_serve(command) and (background or expected is None):
            self.stop_runner_server()
            # A doc that starts a server again (another section's recipe) replaces the one it started before.
            for earlier in [c for c in self.background if is_serve(c.text)]:
                earlier.stop()
                self.background.remove(earlier)
        else:
            self.ensure_server()
        # A doc's own server (`… &`) listens where the runner's did, so the doc's URLs reach it.
        env = dict(self.env, CUECAST_PORT=str(self.ports[8080])) if is_serve(command) and (background or expected is None) else self.env
        run = Command(command, self.scratch, env)
        started = time.monotonic()
        while True:
            finished = not run.running
            lines = run.lines()
            if expected:
                if matches(expected, lines, finished) or (not finished and matches(expected, lines, False)):
                    if finished or not background:
                        break
                    self.background.append(run)
                    return
                if finished:
                    break
            elif finished:
                break
            elif background or time.monotonic() - started > SETTLE_SECONDS:
                # Silent and still running: a server or a subscriber the next commands rely on.
                if is_serve(command):
                    wait_for_port(self.ports[8080], 20)
                self.background.append(run)
                return
            if time.monotonic() - started > OUTPUT_TIMEOUT:
                break
            time.sleep(0.05)
        run.stop()
        lines = run.lines()
        if expected is None:
            if run.process.returncode not in (0, None, -signal.SIGTERM):
                self.fail(block, command, ["(exit 0)"], lines + [f"(exit {run.process.returncode})"])
            return
        if not matches(expected, lines, True) and not matches(expected, lines, False):
            self.fail(block, command, expected, lines)

    def fail(self, block, command, expected, actual):
        self.failures.append(
            f"{block.where}: $ {command}\n--- the doc says\n" + "\n".join(expected) + "\n--- it printed\n" + "\n".join(trim(actual))
        )

    def end_block(self):
        """A subscriber a block left running (`curl -N` in "terminal 1") ends with its block; servers stay."""
        for run in [c for c in self.background if not is_serve(c.text)]:
            run.stop()
            self.background.remove(run)

    def finish(self):
        for run in self.background:
            run.stop()
        self.stop_runner_server()


def prepare_scratch(path, home):
    scratch = Path(tempfile.mkdtemp(prefix=f"doctest-{path.stem}-"))
    for folder in ("scenarios", "public"):
        shutil.copytree(ROOT / folder, scratch / folder, symlinks=True)
    fixtures = FIXTURES / path.stem
    if fixtures.is_dir():
        shutil.copytree(fixtures, scratch, dirs_exist_ok=True)
    # `scripts/install` and the other scripts a doc names run from the checkout, as the README says.
    (scratch / "scripts").symlink_to(ROOT / "scripts")
    return scratch


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cuecast-bin", default=str(ROOT / ".build" / "debug"), help="folder of the built cuecast")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    files = [Path(f).resolve() for f in args.files] or [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

    home = Path(tempfile.mkdtemp(prefix="doctest-home-"))
    # curl prints a progress meter when its output is not a terminal; a reader at a terminal never sees it.
    (home / ".curlrc").write_text("no-progress-meter\n")
    env = dict(os.environ)
    # HOME stays the user's: SwiftPM keeps its caches there, and another HOME would rebuild everything.
    env.update(
        PREFIX=str(home / ".local"), CURL_HOME=str(home), NO_COLOR="1", CUECAST_INSTALL_CONFIGURATION="debug",
        PATH=f"{home}/.local/bin:{args.cuecast_bin}:{os.environ.get('PATH', '')}",
    )
    for key in [k for k in env if k.startswith("CUECAST_") and k not in ("CUECAST_INSTALL_CONFIGURATION",)]:
        del env[key]

    ran, skipped, failures = 0, [], []
    for path in files:
        blocks = [b for b in blocks_of(path) if b.is_command_block]
        if not blocks:
            continue
        scratch = prepare_scratch(path, home)
        run = FileRun(path, env, scratch)
        try:
            for block in blocks:
                if block.mark and block.mark[0] == "skip":
                    skipped.append(f"{block.where}: {block.mark[1] or 'no reason given'}")
                    continue
                if block.mark:
                    run.failures.append(f"{block.where}: unknown mark '{block.mark[0]}' (only 'skip' is known)")
                    continue
                ran += 1
                before = len(run.failures)
                for command, expected in block.steps():
                    run.run_step(block, command, expected)
                run.end_block()
                print(f"{'ok  ' if len(run.failures) == before else 'FAIL'} {block.where}", flush=True)
        finally:
            run.finish()
            shutil.rmtree(scratch, ignore_errors=True)
        failures += run.failures
    shutil.rmtree(home, ignore_errors=True)

    for failure in failures:
        print("\n" + failure, file=sys.stderr)
    print(f"\ndoctest: {ran} block(s) run, {len(failures)} failure(s), {len(skipped)} skipped:")
    for line in skipped:
        print(f"  skipped {line}")
    return 1 if failures or ran == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
