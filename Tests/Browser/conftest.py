"""Fixtures for the browser tests: a cuecast server on a free port and one headless Chromium.

The server is the already-built `.build/debug/cuecast` (this builds nothing), serving the bundled scenarios and
`public/`. Override the binary with CUECAST_BIN, and the browser with CHROMIUM_BIN / CHROMEDRIVER.

Run: scripts/setup-browser && python3 -m pytest -q Tests/Browser   (about 70 s; screenshots go to docs/screenshots)
"""
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

os.environ.setdefault("SE_OFFLINE", "true")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, port, process, log_path, https_port=None):
        self.port = port
        self.process = process
        self.log_path = log_path
        self.base = f"http://127.0.0.1:{port}"
        self.https_port = https_port
        # The certificate names localhost (and 127.0.0.1); browsers show the name.
        self.https_base = f"https://localhost:{https_port}" if https_port else None

    def url(self, path):
        return self.base + path

    def get_json(self, path):
        with urllib.request.urlopen(self.url(path), timeout=5) as r:
            return json.load(r)

    def post(self, path, body=b"", headers=None):
        req = urllib.request.Request(self.url(path), data=body, method="POST", headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def subscribers(self, name):
        for s in self.get_json("/api/scenarios")["scenarios"]:
            if s["name"] == name:
                return s.get("subscribers")
        raise KeyError(name)

    def open_connections(self, path_prefix=""):
        """The server's own list of open streams (GET /api/connections)."""
        return [c for c in self.get_json("/api/connections")["connections"] if c["path"].startswith(path_prefix)]


def start_server(directory, extra_args=(), https_port=None, host="127.0.0.1"):
    """Starts the built cuecast on a free plain port of `host` (plus `extra_args`) and waits until it answers on
    127.0.0.1."""
    binary = os.environ.get("CUECAST_BIN", str(ROOT / ".build" / "debug" / "cuecast"))
    if not os.access(binary, os.X_OK):
        pytest.fail(f"{binary} is missing: build it first (swift build)")
    port = free_port()
    log_path = directory / "cuecast.log"
    log = open(log_path, "w")
    process = subprocess.Popen(
        [binary, "serve", "--host", host, "--port", str(port), "--scenarios", str(ROOT / "scenarios"),
         "--public", str(ROOT / "public"), "--publish-rate", "1000", *extra_args],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    process.log_file = log
    srv = Server(port, process, log_path, https_port)
    deadline = time.time() + 30
    while True:
        try:
            if srv.get_json("/healthz").get("status") == "ok" and (https_port is None or port_open(https_port)):
                break
        except OSError:
            pass
        if process.poll() is not None or time.time() > deadline:
            process.kill()
            pytest.fail(f"cuecast did not start:\n{log_path.read_text()}")
        time.sleep(0.1)
    return srv


def stop_server(srv):
    srv.process.terminate()
    try:
        srv.process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        srv.process.kill()
    srv.process.log_file.close()


def port_open(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    srv = start_server(tmp_path_factory.mktemp("server"))
    yield srv
    stop_server(srv)


@pytest.fixture(scope="session")
def tls_server(tmp_path_factory):
    """A second cuecast with both ports: plain (HTTP/1.1) and HTTPS (HTTP/2 by ALPN), with a fresh certificate
    from `cuecast cert`. Only the tests that ask for it start it."""
    directory = tmp_path_factory.mktemp("tls-server")
    binary = os.environ.get("CUECAST_BIN", str(ROOT / ".build" / "debug" / "cuecast"))
    certs = directory / "certs"
    made = subprocess.run([binary, "cert", "--out", str(certs), "--force"], capture_output=True, text=True)
    assert made.returncode == 0, made.stdout + made.stderr
    https_port = free_port()
    srv = start_server(directory, ["--https-port", str(https_port), "--tls-cert", str(certs / "localhost.pem"),
                                   "--tls-key", str(certs / "localhost-key.pem")], https_port=https_port)
    yield srv
    stop_server(srv)


def make_driver(extra_args=()):
    """A headless Chromium whose screenshots are exactly 1000x700 CSS pixels."""
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1000,700",
                "--force-device-scale-factor=1", "--hide-scrollbars", "--disable-extensions", *extra_args]:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(20)
    # Screenshots of exactly 1000x700 CSS pixels, whatever the window decorations take.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 1000, "height": 700, "deviceScaleFactor": 1, "mobile": False})
    return driver


@pytest.fixture(scope="session")
def browser():
    driver = make_driver()
    yield driver
    driver.quit()


@pytest.fixture
def page(browser, server):
    """The browser with its logs emptied; checks after the test that the console logged no errors."""
    browser.get("about:blank")
    browser.get_log("browser")
    browser.get_log("performance")
    helper = PageHelper(browser, server)
    yield helper
    helper.assert_no_console_errors()


class PageHelper:
    def __init__(self, driver, server, base=None):
        self.driver = driver
        self.server = server
        self.base = base or server.base
        self.console = []
        self.network = []
        self.responses = []  # DevTools Network.Response objects: url, status, protocol, connectionId, ...

    def open(self, path):
        self.driver.get(self.base + path)

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def wait(self, predicate, timeout=10, message="condition", interval=0.1):
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            last = predicate()
            if last:
                return last
            time.sleep(interval)
        raise AssertionError(f"timed out after {timeout}s waiting for {message} (last: {last!r})")

    def text(self, selector):
        return self.js("return document.querySelector(arguments[0])?.textContent ?? null", selector)

    def click(self, selector):
        self.driver.find_element("css selector", selector).click()

    def collect_logs(self):
        self.console += self.driver.get_log("browser")
        for entry in self.driver.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            if msg["method"] == "Network.requestWillBeSent":
                self.network.append(msg["params"]["request"]["url"])
            elif msg["method"] == "Network.responseReceived":
                self.responses.append(msg["params"]["response"])

    def requests_to(self, path):
        self.collect_logs()
        return [u for u in self.network if u.split("?")[0] == self.server.url(path)]

    def screenshot(self, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        time.sleep(0.8)  # let entry animations (lyrics, toasts, flashes) finish
        self.driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))

    def assert_no_console_errors(self):
        self.collect_logs()
        errors = [e for e in self.console if e["level"] == "SEVERE"]
        assert not errors, "console errors:\n" + "\n".join(e["message"] for e in errors)
