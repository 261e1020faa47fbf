"""The six-connection lesson (connections.html) in headless Chromium, against one cuecast serving a plain port and an
HTTPS port: over HTTP/1.1 only six of the page's eight EventSources open and the other two wait until one closes;
over HTTP/2 (HTTPS, ALPN h2) all eight open on one connection. The page, the server's own lists and the kernel's
socket table must tell the same story."""
import time

import pytest

from conftest import PageHelper, make_driver

N = 8
CLOCK = "/streams/clock"


def established_to(port):
    """Client-side TCP connections in ESTABLISHED state to 127.0.0.1:port (from /proc/net/tcp*): the browser's
    connections to the server, counted by the kernel rather than by the page or the server."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            remote, state = fields[2], fields[3]
            if state == "01" and int(remote.rsplit(":", 1)[1], 16) == port:
                count += 1
    return count


def page_streams(page):
    return page.js("return window.lesson.streams.map(s => ({...s}))")


def states(page):
    return [s["state"] for s in page_streams(page)]


def table(page):
    """What the table shows, row by row."""
    return page.js("""return [...document.querySelectorAll('#streams tr')].map(tr => ({
        i: Number(tr.dataset.i), state: tr.querySelector('.status').textContent,
        events: Number(tr.querySelector('.events').textContent), protocol: tr.querySelector('.protocol').textContent }))""")


def server_clients(server):
    """The client labels of the clock streams the server has open."""
    return sorted(c["client"] for c in server.open_connections(CLOCK) if (c["client"] or "").startswith("lesson-"))


def open_labels(page):
    return sorted(s["client"] for s in page_streams(page) if s["state"] == "open")


def wait_agree(page, server, expected, timeout=20):
    """The page's open streams, the server's open connections and its subscriber count all equal `expected`. On a
    timeout the message says what each side said last, so a failure shows which side disagreed."""
    expected = sorted(expected)
    deadline = time.time() + timeout
    while True:
        seen = {"page": open_labels(page), "server": server_clients(server), "subscribers": server.subscribers("clock")}
        if seen["page"] == expected and seen["server"] == expected and seen["subscribers"] == len(expected):
            return
        if time.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for page and server to agree on {expected}; last seen: {seen}")
        time.sleep(0.2)


def stream_connections(page):
    """For each stream the browser got response headers for: (DevTools connectionId, protocol). This is Chromium's
    own account of which connection carried which request."""
    page.collect_logs()
    return {r["url"].split("client=", 1)[1]: (r.get("connectionId"), r.get("protocol"))
            for r in page.responses if f"{CLOCK}?client=lesson-" in r["url"]}


def counts(page):
    return [page.text(f"#count-{k}") for k in ("open", "connecting", "closed")]


@pytest.fixture
def h1_page(browser, tls_server):
    browser.get("about:blank")
    browser.get_log("browser")
    browser.get_log("performance")
    helper = PageHelper(browser, tls_server)
    yield helper
    browser.get("about:blank")
    helper.assert_no_console_errors()


@pytest.fixture
def h2_page(tls_server):
    # Only this browser ignores certificate errors: the certificate comes from a CA it does not know.
    driver = make_driver(["--ignore-certificate-errors"])
    helper = PageHelper(driver, tls_server, base=tls_server.https_base)
    yield helper
    driver.get("about:blank")
    helper.assert_no_console_errors()
    driver.quit()


def test_http1_six_open_two_wait(h1_page, tls_server):
    page, server = h1_page, tls_server
    page.open(f"/connections.html?other={server.https_base}")
    # Six open, each for at least a second (two ticks), while the other two still wait.
    page.wait(lambda: states(page) == ["open"] * 6 + ["connecting"] * 2
              and min(s["events"] for s in page_streams(page)[:6]) >= 2, 15, "six open streams with two ticks each")
    streams = page_streams(page)
    assert states(page) == ["open"] * 6 + ["connecting"] * 2
    assert [s["events"] for s in streams[6:]] == [0, 0] and [s["openedAt"] for s in streams[6:]] == [None, None]
    assert all(s["openedAt"] is not None and s["firstEventAt"] >= s["openedAt"] for s in streams[:6])
    assert page.js("return window.lesson.pageProtocol") == "http/1.1"
    assert page.text("#page-protocol") == "http/1.1 (http)"
    assert counts(page) == ["6", "2", "0"]
    assert "6 open, 2 waiting" in page.text("#verdict")
    rows = table(page)
    assert [r["state"] for r in rows] == ["OPEN (1)"] * 6 + ["CONNECTING (0)"] * 2
    assert [r["protocol"] for r in rows] == ["http/1.1 (page)"] * 6 + ["–"] * 2
    # The other port is linked, with a link back.
    link = page.js("return document.querySelector('#other-link a').href")
    assert link.startswith(f"{server.https_base}/connections.html?") and "other=http" in link
    # The server holds exactly the six the page shows as open.
    wait_agree(page, server, [f"lesson-{i}" for i in range(1, 7)])
    # Six connections: each open stream on its own, by Chromium's account and by the kernel's.
    conns = stream_connections(page)
    assert sorted(conns) == [f"lesson-{i}" for i in range(1, 7)]
    assert {p for _, p in conns.values()} == {"http/1.1"}
    assert len({c for c, _ in conns.values()}) == 6
    page.wait(lambda: established_to(server.port) == 6, 5, "six TCP connections", interval=0.2)
    page.screenshot("connections-http1")

    # Closing one frees its connection: the first waiting stream opens; the last still waits.
    page.click("#close-one")
    page.wait(lambda: states(page) == ["closed"] + ["open"] * 6 + ["connecting"], 10, "stream 7 to open")
    wait_agree(page, server, [f"lesson-{i}" for i in range(2, 8)])
    page.wait(lambda: page_streams(page)[6]["events"] >= 1, 5, "a tick on stream 7")
    # Chromium makes a resource timing entry for an EventSource only once it has ended.
    page.wait(lambda: page_streams(page)[0]["entryProtocol"] == "http/1.1", 5, "the closed stream's own nextHopProtocol")
    assert table(page)[0]["protocol"] == "http/1.1"
    assert all(s["entryProtocol"] is None for s in page_streams(page)[1:])
    conns = stream_connections(page)
    assert "lesson-8" not in conns and conns["lesson-7"][1] == "http/1.1"
    assert len({conns[f"lesson-{i}"][0] for i in range(2, 8)}) == 6
    page.wait(lambda: established_to(server.port) == 6, 5, "six TCP connections", interval=0.2)

    page.click("#close-all")
    page.wait(lambda: states(page) == ["closed"] * N, 5, "every stream closed")
    wait_agree(page, server, [])
    # The stream that never connected has an entry with an empty protocol.
    page.wait(lambda: page_streams(page)[7]["entryProtocol"] == "", 5, "the entry of the stream that never opened")
    assert table(page)[7]["protocol"] == "none (never connected)"


def test_http2_all_open_on_one_connection(h2_page, tls_server):
    page, server = h2_page, tls_server
    page.open(f"/connections.html?other={server.base}")
    page.wait(lambda: states(page) == ["open"] * N and min(s["events"] for s in page_streams(page)) >= 1, 15,
              "all eight streams open with a tick each")
    assert page.js("return window.lesson.pageProtocol") == "h2"
    assert page.js("return location.protocol") == "https:"
    assert page.text("#page-protocol") == "h2 (https)"
    assert counts(page) == ["8", "0", "0"]
    assert "all 8 open streams share one connection" in page.text("#verdict")
    assert [r["state"] for r in table(page)] == ["OPEN (1)"] * N
    assert [r["protocol"] for r in table(page)] == ["h2 (page)"] * N
    assert page.js("return document.querySelector('#other-link a').href").startswith(f"{server.base}/connections.html?")
    wait_agree(page, server, [f"lesson-{i}" for i in range(1, N + 1)])
    # One connection carries all eight. (Chromium sometimes keeps a second, idle TCP connection from the page
    # load, which carries nothing: so the kernel's count is one or two, never eight.)
    conns = stream_connections(page)
    assert sorted(conns) == sorted(f"lesson-{i}" for i in range(1, N + 1))
    assert set(conns.values()) == {(conns["lesson-1"][0], "h2")}
    assert 1 <= established_to(server.https_port) <= 2
    page.screenshot("connections-h2")

    page.click("#close-one")
    page.wait(lambda: page_streams(page)[0]["entryProtocol"] == "h2", 5, "the closed stream's own nextHopProtocol")
    wait_agree(page, server, [f"lesson-{i}" for i in range(2, N + 1)])
    page.click("#reopen")
    page.wait(lambda: states(page) == ["open"] * N, 10, "all eight open again")
    wait_agree(page, server, [f"lesson-{i}-round2" for i in range(1, N + 1)])
    assert {v for k, v in stream_connections(page).items() if k.endswith("round2")} == {conns["lesson-1"]}

    # ?n= is capped at 30; all of them open at once over HTTP/2. Leaving the page closes the streams.
    page.open("/connections.html?n=99")
    page.wait(lambda: states(page) == ["open"] * 30, 15, "thirty open streams")
    wait_agree(page, server, [f"lesson-{i}" for i in range(1, 31)])
    page.click("#close-all")
    wait_agree(page, server, [])
