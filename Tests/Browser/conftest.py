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
    def __init__(self, port, process, log_path):
        self.port = port
        self.process = process
        self.log_path = log_path
        self.base = f"http://127.0.0.1:{port}"

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


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    binary = os.environ.get("CUECAST_BIN", str(ROOT / ".build" / "debug" / "cuecast"))
    if not os.access(binary, os.X_OK):
        pytest.fail(f"{binary} is missing: build it first (swift build)")
    port = free_port()
    log_path = tmp_path_factory.mktemp("server") / "cuecast.log"
    log = open(log_path, "w")
    process = subprocess.Popen(
        [binary, "serve", "--host", "127.0.0.1", "--port", str(port), "--scenarios", str(ROOT / "scenarios"),
         "--public", str(ROOT / "public"), "--publish-rate", "1000"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    srv = Server(port, process, log_path)
    deadline = time.time() + 30
    while True:
        try:
            if srv.get_json("/healthz").get("status") == "ok":
                break
        except OSError:
            pass
        if process.poll() is not None or time.time() > deadline:
            process.kill()
            pytest.fail(f"cuecast did not start:\n{log_path.read_text()}")
        time.sleep(0.1)
    yield srv
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="session")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1000,700",
                "--force-device-scale-factor=1", "--hide-scrollbars", "--disable-extensions"]:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(20)
    # Screenshots of exactly 1000x700 CSS pixels, whatever the window decorations take.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 1000, "height": 700, "deviceScaleFactor": 1, "mobile": False})
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
    def __init__(self, driver, server):
        self.driver = driver
        self.server = server
        self.console = []
        self.network = []

    def open(self, path):
        self.driver.get(self.server.url(path))

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
