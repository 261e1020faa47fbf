"""A cuecast server for the SDK tests: the built binary (CUECAST or .build/debug/cuecast) serving the bundled
scenarios, scripted models included (scenarios/llm/), on a free loopback port."""
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def base(tmp_path_factory):
    binary = os.environ.get("CUECAST", str(ROOT / ".build" / "debug" / "cuecast"))
    port = free_port()
    log = open(tmp_path_factory.mktemp("llm") / "cuecast.log", "w")
    process = subprocess.Popen(
        [binary, "serve", "--host", "127.0.0.1", "--port", str(port), "--scenarios", str(ROOT / "scenarios"), "--public", str(ROOT / "public")],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1).read()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"cuecast exited: see {log.name}")
            time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(timeout=10)
