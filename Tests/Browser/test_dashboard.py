"""The live view: /dashboard.html draws Cuecast's own figures from /api/stats/stream in headless Chromium, and the
class joining (streams opened elsewhere) shows up on it within a couple of seconds."""
import json
import socket

from test_pages import wait_closed


def open_stream(server, path):
    """A subscriber that holds a stream open on a raw socket (it reads nothing, which is fine for a few events)."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        assert chunk, f"{path} closed before its head"
        head += chunk
    assert head.startswith(b"HTTP/1.1 200"), head
    return sock


def dashboard_count(page, path):
    return page.js("return document.querySelector(`#streams tr[data-path='${arguments[0]}'] .count`)?.textContent ?? null", path)


def test_dashboard_shows_the_class_join(page, server):
    page.open("/dashboard.html")
    page.wait(lambda: page.js("return window.cuecast?.state") == "open", 10, "the stats stream to open")
    page.wait(lambda: page.js("return window.cuecast.events.length") >= 1, 5, "a first stats event")
    # The dashboard lists itself: it is a subscriber too.
    page.wait(lambda: dashboard_count(page, "/api/stats/stream") == "1", 5, "the dashboard's own stream")

    # The class joins: five students on a channel and two on a scenario.
    students = [open_stream(server, "/channels/class-demo?history=none") for _ in range(5)]
    students += [open_stream(server, "/streams/clock?history=none") for _ in range(2)]
    try:
        page.wait(lambda: dashboard_count(page, "/channels/class-demo") == "5", 5, "five students on the channel")
        page.wait(lambda: dashboard_count(page, "/streams/clock") == "2", 5, "two on the clock")
        last = json.loads(page.js("return window.cuecast.events.at(-1).data"))
        assert last["subscribers"] >= 8  # the seven students and the dashboard (other tests' streams may linger)
        assert page.text("[data-key=subscribers] .value") == str(last["subscribers"])
        assert last["residentBytes"] > 0
        assert page.text("[data-key=residentBytes] .value").endswith("MiB")
        assert last["eventsPerSecond"] >= 0 and last["deliveriesPerSecond"] >= 0
        # The busiest stream is listed first.
        assert page.js("return document.querySelector('#streams tr').dataset.path") == "/channels/class-demo"
        page.js("window.scrollTo(0, 0)")
        page.screenshot("dashboard")
    finally:
        for sock in students:
            sock.close()

    # They leave: the rows go.
    page.wait(lambda: dashboard_count(page, "/channels/class-demo") is None, 5, "the channel row to go")
    page.click("#stop")
    wait_closed(page, "stop")
