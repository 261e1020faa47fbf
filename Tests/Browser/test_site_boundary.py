"""What a page on another site can do to a server on loopback, in a real browser (issue 13, finding 7).

Chromium resolves `evil.test` to 127.0.0.1 (--host-resolver-rules), so a page served from http://evil.test:PORT is
a page on another site that can reach the server, and http://evil.test:CUECAST_PORT is DNS rebinding: the site's
own name pointing at the server. The page tries what any page can do without asking CORS (a text/plain POST, an
<img> GET) and with CORS; the server's own channel list proves nothing was published."""
import http.server
import threading
import time

import pytest

from conftest import free_port, make_driver

ATTACK = """<!doctype html><meta charset="utf-8"><title>another site</title><script>
const server = "http://127.0.0.1:%(port)d";
window.results = {};
(async () => {
  await fetch(server + "/generateEvent?channel=boundary", {method: "POST", mode: "no-cors", body: "simple post", headers: {"Content-Type": "text/plain"}}).catch(() => {});
  await new Promise(done => { const img = new Image(); img.onload = img.onerror = done; img.src = server + "/generateEvent?channel=boundary"; });
  const cors = await fetch(server + "/generateEvent?channel=boundary", {method: "POST", body: JSON.stringify({data: "cors post"}), headers: {"Content-Type": "application/json"}});
  results.corsStatus = cors.status;
  results.corsCode = (await cors.json()).error?.code ?? null;
  const list = await fetch(server + "/api/connections");
  results.connectionsStatus = list.status;
  const catalog = await fetch(server + "/api/scenarios");
  results.catalogStatus = catalog.status;
  const source = new EventSource(server + "/streams/clock");
  results.streamEvent = await new Promise(done => { source.onmessage = e => { source.close(); done(e.data.length > 0); }; source.onerror = () => done(false); });
  results.done = true;
})().catch(error => { results.error = String(error); results.done = true; });
</script>"""


class PageServer:
    """Serves the attack page on a free port."""

    def __init__(self, html):
        body = html.encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


@pytest.fixture(scope="module")
def evil_browser():
    driver = make_driver(["--host-resolver-rules=MAP evil.test 127.0.0.1"])
    yield driver
    driver.quit()


def published_to(server, channel):
    for entry in server.get_json("/api/channels")["channels"]:
        if entry["name"] == channel:
            return entry["events"]
    return 0


def run_attack(driver, url):
    driver.get(url)
    results = None
    for _ in range(100):
        results = driver.execute_script("return window.results")
        if results and results.get("done"):
            return results
        time.sleep(0.1)
    raise AssertionError(f"the page did not finish: {results}")


def test_a_page_on_another_site_reads_streams_but_cannot_publish(server, evil_browser):
    page = PageServer(ATTACK % {"port": server.port})
    try:
        before = published_to(server, "boundary")
        results = run_attack(evil_browser, f"http://evil.test:{page.port}/")
        assert "error" not in results, results
        assert results["corsStatus"] == 403 and results["corsCode"] == "cross_site_refused", results
        assert results["connectionsStatus"] == 403, results
        assert results["catalogStatus"] == 200, results
        assert results["streamEvent"] is True, "a page on another site may read streams"
        # Neither the simple POST nor the <img> GET published anything.
        assert published_to(server, "boundary") == before
    finally:
        page.close()


def test_a_page_on_localhost_may_publish(server, evil_browser):
    """The same page served from localhost (another dev server's port) is this machine's own: its writes go through."""
    page = PageServer(ATTACK % {"port": server.port})
    try:
        before = published_to(server, "boundary")
        results = run_attack(evil_browser, f"http://localhost:{page.port}/")
        assert results["corsStatus"] == 202 and results["connectionsStatus"] == 200, results
        # The simple POST and the CORS POST carry `Origin: http://localhost:…` and go through. The <img> GET carries no
        # Origin, only `Sec-Fetch-Site: cross-site` (localhost and 127.0.0.1 are different sites), so the server cannot
        # tell it from another site's and refuses it: two events, not three.
        assert published_to(server, "boundary") == before + 2
    finally:
        page.close()


def test_dns_rebinding_gets_host_not_allowed(server, evil_browser):
    """A site that points its own name at the server (http://evil.test:PORT) is refused by Host."""
    evil_browser.get(f"http://evil.test:{server.port}/api/scenarios")
    body = evil_browser.find_element("tag name", "body").text
    assert "host_not_allowed" in body
    evil_browser.get(f"http://evil.test:{server.port}/streams/clock")
    assert "host_not_allowed" in evil_browser.find_element("tag name", "body").text
