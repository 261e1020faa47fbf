"""Every Cuecast page in a real headless Chromium: it loads without console errors, renders the events it
receives, ends when it should (Stop, the id -1 sentinel, [DONE]) with nothing left open or re-requested on the
server, and the inspector's raw and EventSource views agree, through server-side drops too."""
import json
import time

import pytest


def parse_event_stream(text):
    """A plain WHATWG event-stream parser, independent of the page's, for checking the inspector."""
    events, data, etype, last_id = [], [], "", ""
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line == "":
            if data:
                events.append({"type": etype or "message", "data": "\n".join(data), "lastEventId": last_id})
            data, etype = [], ""
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "data":
            data.append(value)
        elif field == "event":
            etype = value
        elif field == "id" and "\0" not in value:
            last_id = value
    return events


def wait_closed(page, expected_reason, timeout=15):
    page.wait(lambda: page.js("return window.cuecast && window.cuecast.closedBy"), timeout, "the page to close its EventSource")
    assert page.js("return window.cuecast.closedBy") == expected_reason
    assert page.js("return window.cuecast.state") == "closed"


def assert_nothing_more(page, stream_path, requests=1, linger=3.5):
    """The server lists no open connection on the stream, and the browser sends it no new request afterwards
    (waiting longer than the stream's retry delay, when an EventSource left open would have come back)."""
    page.wait(lambda: not page.server.open_connections(stream_path), 5, f"the server to close {stream_path}")
    time.sleep(linger)
    assert page.server.open_connections(stream_path) == []
    assert len(page.requests_to(stream_path)) == requests, page.requests_to(stream_path)


def test_home_lists_every_scenario(page, server):
    page.open("/")
    scenarios = server.get_json("/api/scenarios")["scenarios"]
    page.wait(lambda: page.js("return document.querySelectorAll('#streams li').length") == len(scenarios), 10, "the list")
    items = page.js("""return [...document.querySelectorAll('#streams li')].map(li => ({
        name: li.dataset.name, href: li.querySelector('h2 a').getAttribute('href'),
        curl: li.querySelector('code').textContent, desc: li.querySelector('.desc').textContent,
        copy: li.querySelector('button').textContent }))""")
    by_name = {i["name"]: i for i in items}
    for s in scenarios:
        item = by_name[s["name"]]
        assert item["curl"] == s["curl"] and item["desc"] == s["description"] and item["copy"] == "Copy"
    assert by_name["daisy-bell"]["href"] == "lyrics.html"
    assert by_name["stock-ticker"]["href"] == "prices.html"
    assert by_name["random-named-events"]["href"] == "random.html"
    assert by_name["clock"]["href"] == "stream.html?name=clock"
    hrefs = page.js("return [...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
    assert "generate.html" in hrefs and "inspector.html" in hrefs and "connections.html" in hrefs
    page.click("#streams li button")
    page.wait(lambda: page.text("#streams li button") != "Copy", 3, "the copy button to react")
    page.screenshot("index")


def test_prices_tiles_sparklines_and_triggers(page, server):
    page.open("/prices.html")
    page.wait(lambda: page.js("return document.querySelectorAll('.tile').length") == 6, 10, "six tiles")
    symbols = sorted(page.js("return [...document.querySelectorAll('.tile')].map(t => t.dataset.symbol)"))
    assert symbols == ["AAPL", "AMZN", "GOOGL", "META", "MSFT", "NVDA"]
    page.wait(lambda: page.js("return document.querySelectorAll('.tile .mark.up, .tile .mark.down').length") >= 1, 10, "an up/down mark")
    price = page.js("return Number(document.querySelector('.tile .price').textContent)")
    assert price > 0
    page.wait(lambda: page.js("return Math.min(...[...document.querySelectorAll('.tile polyline')].map(p => (p.getAttribute('points') || '').split(' ').length))") >= 3, 10, "sparklines in every tile")
    page.click("#crash")
    page.wait(lambda: "crash" in (page.text("#market") or "").lower(), 5, "the crash announcement")
    assert any(e["type"] == "market" for e in page.js("return window.cuecast.events"))
    page.screenshot("prices")
    page.click("#stop")
    wait_closed(page, "stop")
    page.wait(lambda: server.subscribers("stock-ticker") == 0, 5, "no stock-ticker subscribers")
    assert_nothing_more(page, "/streams/stock-ticker", linger=1.5)


def test_random_sentinel_closes(page, server):
    page.open("/random.html?speed=25")
    page.wait(lambda: page.js("return window.cuecast?.closedBy"), 15, "the sentinel")
    wait_closed(page, "sentinel")
    events = page.js("return window.cuecast.events")
    assert [e["lastEventId"] for e in events] == [str(i) for i in range(1, 31)] + ["-1"]
    assert {e["type"] for e in events[:-1]} <= {"coinToss", "dieRoll", "catFact", "meme"}
    for kind in {e["type"] for e in events[:-1]}:
        last = [e["data"] for e in events if e["type"] == kind][-1]
        if kind == "meme":
            assert page.js("return document.querySelector('#meme img').getAttribute('src')") == last
        else:
            assert last in page.text(f"#{kind} .value")
    assert page.text("#count") == "30 events"
    assert "id -1" in page.text("#log")
    assert "id -1" in page.text("#state")
    page.screenshot("random")
    assert_nothing_more(page, "/streams/random-named-events")


def test_random_stop_button(page, server):
    page.open("/random.html?speed=2")
    page.wait(lambda: page.js("return window.cuecast?.events.length") >= 1, 10, "an event")
    assert len(server.open_connections("/streams/random-named-events")) == 1
    page.click("#stop")
    wait_closed(page, "stop")
    n = page.js("return window.cuecast.events.length")
    assert_nothing_more(page, "/streams/random-named-events")
    assert page.js("return window.cuecast.events.length") == n


def test_progress(page, server):
    page.open("/progress.html?speed=40")
    page.wait(lambda: page.js("return window.cuecast?.closedBy"), 10, "the end of the job")
    wait_closed(page, "sentinel")
    assert page.text("#percent") == "100%"
    assert page.js("return document.querySelector('#bar').value") == 100
    assert "/files/job-2817/output.mp4" in page.text("#result")
    assert page.js("return [...document.querySelectorAll('#stages li')].every(li => li.className === 'done')")
    page.screenshot("progress")
    assert_nothing_more(page, "/streams/job-progress", linger=1)


def test_ai_tokens_stop_at_done(page, server):
    page.open("/ai.html?speed=4")
    page.wait(lambda: page.js("return window.cuecast?.closedBy"), 10, "[DONE]")
    wait_closed(page, "done")
    events = page.js("return window.cuecast.events")
    assert events[-1]["data"] == "[DONE]"
    import json
    text = "".join(json.loads(e["data"])["choices"][0]["delta"].get("content") or "" for e in events[:-1])
    assert text and page.text("#answer") == text
    assert "Server-Sent Events" in text
    page.screenshot("ai")
    assert_nothing_more(page, "/streams/ai-tokens", linger=1)


def test_notifications_toasts_and_breaking(page, server):
    page.open("/notifications.html")
    page.wait(lambda: page.js("return document.querySelectorAll('#feed li').length") >= 1, 10, "a notification")
    page.click("#breaking")
    page.wait(lambda: page.js("return document.querySelectorAll('.toast.breaking').length") >= 1, 5, "a breaking toast")
    assert "Breaking" in page.text(".toast.breaking strong")
    page.screenshot("notifications")
    page.click("#stop")
    wait_closed(page, "stop")
    page.wait(lambda: server.subscribers("notifications") == 0, 5, "no notifications subscribers")


def test_sports_scoreboard(page, server):
    page.open("/sports.html?speed=60")
    page.wait(lambda: page.js("return window.cuecast?.closedBy"), 15, "full time")
    wait_closed(page, "sentinel")
    import json
    events = page.js("return window.cuecast.events")
    final = json.loads([e for e in events if e["type"] == "fulltime"][0]["data"])
    assert page.text("#score") == f"{final['score']['home']} – {final['score']['away']}"
    assert page.text("#home") == "Riverside Rovers"
    assert page.text("#minute") == "Full time"
    assert page.js("return document.querySelectorAll('#timeline li').length") == len(events) - 1
    page.screenshot("sports")


def test_metrics_dashboard(page, server):
    page.open("/metrics.html")
    page.wait(lambda: page.js("return window.cuecast?.events.length") >= 2, 10, "two samples")
    # Not this server's monitoring: the page says the figures are a simulated server's, and where the real ones are.
    assert page.text("#simulated") == "simulated" and "Simulated figures for an imaginary server" in page.text(".lead")
    assert page.js("return document.querySelector('.lead a').getAttribute('href')") == "dashboard.html"
    import json
    last = json.loads(page.js("return window.cuecast.events.at(-1).data"))
    assert page.js("return document.querySelector('[data-key=cpuPercent] .value').textContent") == f"{last['cpuPercent']:.1f}%"
    assert float(page.js("return document.querySelector('[data-key=cpuPercent] rect.bar').getAttribute('width')")) > 0
    page.screenshot("metrics")
    page.click("#stop")
    wait_closed(page, "stop")
    page.wait(lambda: server.subscribers("server-metrics") == 0, 5, "no server-metrics subscribers")


def test_generic_stream_page(page, server):
    page.open("/stream.html?name=coin-toss&speed=40")
    page.wait(lambda: page.js("return window.cuecast?.closedBy"), 10, "the sentinel")
    wait_closed(page, "sentinel")
    assert page.text("#count") == "20 events"
    assert page.text("#title").startswith("Coin toss")
    assert "coinToss" in page.text("#types")
    page.screenshot("stream")
    assert_nothing_more(page, "/streams/coin-toss", linger=1.5)


def test_generate_publishes_to_the_live_channel(page, server):
    page.open("/generate.html?channel=browser-test")
    page.wait(lambda: page.js("return window.cuecast?.state") == "open", 10, "the channel to open")
    page.driver.find_element("css selector", "#event").send_keys("greeting")
    data = page.driver.find_element("css selector", "#data")
    data.clear()
    data.send_keys('{"hello":"projector"}')
    page.click("#publish button[type=submit]")
    page.wait(lambda: "HTTP 202" in (page.text("#response") or ""), 5, "the 202 response")
    assert '"channel": "browser-test"' in page.text("#response")
    assert '"delivered": 1' in page.text("#response")
    page.wait(lambda: "greeting" in (page.text("#live") or ""), 5, "the event in the live view")
    assert page.js("return window.cuecast.events.at(-1)") == {"type": "greeting", "data": '{"hello":"projector"}', "lastEventId": "1"}
    page.click("#triggers button")
    page.wait(lambda: page.text("#response").startswith("HTTP 202"), 5, "the trigger's 202")
    page.js("window.scrollTo(0, 0)")
    page.screenshot("generate")


def inspector_events(page):
    return page.js("return window.inspector.esEvents")


def test_inspector_raw_and_parsed_agree(page, server):
    page.open("/inspector.html?stream=wire-format-tour&speed=20")
    page.wait(lambda: page.js("return window.inspector?.states.some(s => s.readyState === 2)"), 15, "the tour to end")
    raw = page.js("return window.inspector.raw")
    expected = parse_event_stream(raw)
    assert expected, raw
    assert inspector_events(page) == expected
    assert page.js("return window.inspector.agree") == len(expected)
    shown = page.text("#raw")
    assert ": Tour of the SSE wire format" in shown
    # Every line, blank ones too, ends with a visible mark; the server writes LF only.
    marks = page.js("return [...document.querySelectorAll('#raw .eol')].map(e => e.textContent)")
    assert len(marks) == raw.count("\n") and set(marks) == {"LF"}
    responses = page.js("return window.inspector.responses")
    headers = responses[0]["headers"]
    assert responses[0]["status"] == 200
    assert headers["content-type"] == "text/event-stream" and headers["x-cuecast-connection"].isdigit()
    # After the sentinel the fetch asks again with Last-Event-ID: -1, as EventSource does, and gets 204.
    assert [r["status"] for r in responses] == [200, 204]
    assert "x-cuecast-connection" in page.text("#headers")
    states = [s["readyState"] for s in page.js("return window.inspector.states")]
    assert states[0] == 0 and 1 in states and states[-1] == 2
    assert page.text("#ready") == "CLOSED (2)"
    page.js("document.querySelector('#raw').scrollTop = 0; document.querySelector('#parsed').scrollTop = 0; document.querySelector('.stats').scrollIntoView()")
    page.screenshot("inspector")


def test_inspector_drop_resumes_without_gap(page, server):
    page.open("/inspector.html?stream=dice&speed=8")
    page.wait(lambda: len(inspector_events(page)) >= 4, 10, "a few rolls")
    label = page.js("return window.inspector.label")
    assert [c["client"] for c in server.open_connections("/streams/dice")].count(label + "-es") == 1
    page.click("#drop-es")
    page.wait(lambda: page.js("return window.inspector.reconnects") == 1, 8, "the EventSource to reconnect")
    page.wait(lambda: page.js("return window.inspector.states.some(s => s.readyState === 0 && s.reason === 'error event')"), 1, "CONNECTING after the drop")
    n = len(inspector_events(page))
    page.wait(lambda: len(inspector_events(page)) >= n + 4, 8, "rolls after the reconnect")
    page.click("#drop-raw")
    page.wait(lambda: page.js("return window.inspector.rawConnections") == 2, 8, "the fetch to reconnect")
    m = len(page.js("return window.inspector.rawEvents"))
    page.wait(lambda: len(page.js("return window.inspector.rawEvents")) >= m + 3, 8, "raw events after the reconnect")
    page.click("#close")
    es_ids = [int(e["lastEventId"]) for e in inspector_events(page)]
    raw_ids = [int(e["lastEventId"]) for e in page.js("return window.inspector.rawEvents")]
    assert es_ids == list(range(1, len(es_ids) + 1)), es_ids       # no gap, no duplicate
    assert raw_ids == list(range(1, len(raw_ids) + 1)), raw_ids
    # Both clients saw the same rolls: the solo stream is the same for the same seed.
    common = min(len(es_ids), len(raw_ids))
    assert [e["data"] for e in inspector_events(page)][:common] == [e["data"] for e in page.js("return window.inspector.rawEvents")][:common]
    # The resumed fetch really sent Last-Event-ID, and the page shows both reconnects.
    assert "Last-Event-ID:" in page.text("#raw")
    assert "reconnected (#1)" in page.text("#parsed")
    page.wait(lambda: not server.open_connections("/streams/dice"), 5, "no open dice connections after Close")


def test_inspector_shows_when_history_is_gone(page, server):
    """A client away while more was published than a channel keeps: the server says so in band (`cuecast-reset`,
    issue 23) and the inspector marks it in its event log, before the replay goes on from the oldest kept id."""
    channel = f"gap{int(time.time() * 1000) % 10**8}"
    page.open(f"/inspector.html?channel={channel}")
    page.wait(lambda: server.open_connections(f"/channels/{channel}"), 10, "the inspector's streams to open")
    for n in (1, 2):
        assert server.post(f"/generateEvent?channel={channel}", json.dumps({"data": f"before {n}"}).encode(),
                           {"Content-Type": "application/json"})[0] == 202
    page.wait(lambda: len(inspector_events(page)) >= 2, 10, "the first two events")
    page.click("#drop-es")
    # While the EventSource waits its retry (3 s), 105 more events: the channel keeps 100, so id 2 is gone.
    for n in range(105):
        assert server.post(f"/generateEvent?channel={channel}", json.dumps({"data": f"away {n}"}).encode(),
                           {"Content-Type": "application/json"})[0] == 202
    page.wait(lambda: page.js("return window.inspector.reconnects") == 1, 10, "the EventSource to reconnect")
    page.wait(lambda: "cuecast-reset" in page.text("#parsed"), 10, "the inspector to mark the gap")
    note = page.text("#parsed")
    assert "Last-Event-ID 2 is older than what the server keeps: events were missed" in note
    assert "replaying from id 8" in note
    page.wait(lambda: inspector_events(page)[-1]["lastEventId"] == "107", 10, "the replay to reach the newest event")
    ids = [e["lastEventId"] for e in inspector_events(page) if e["type"] == "message"]
    assert ids[:2] == ["1", "2"] and ids[2:] == [str(n) for n in range(8, 108)], ids


def test_lyrics_karaoke_and_stop(page, server):
    # Last on purpose: by now the live song is well under way, so the replayed history fills the fading lines.
    page.open("/lyrics.html")
    page.wait(lambda: page.js("return window.cuecast?.events.length") >= 1, 10, "a lyric")
    first = page.js("return window.cuecast.events[0]")
    # The replay starts at the current pass's [START]; the song loops, so its id is 1 only on the first pass (the
    # browser tests before this one can take longer than the song).
    assert first["type"] == "lyric" and first["data"] == "[START]" and first["lastEventId"].isdigit(), first
    current = page.text("#current")
    assert current and "Waiting" not in current
    assert server.subscribers("daisy-bell") >= 1
    page.wait(lambda: page.js("return window.cuecast.events.length") >= 2, 8, "the first sung line")
    history = page.js("return window.cuecast.events.length")
    if history >= 3:
        assert page.js("return document.querySelectorAll('#previous div').length") == min(history - 2, 4)
    page.wait(lambda: page.text("#current") == page.js("return window.cuecast.events.at(-1).data"), 3, "the current line")
    page.screenshot("lyrics")
    page.click("#stop")
    wait_closed(page, "stop")
    page.wait(lambda: server.subscribers("daisy-bell") == 0, 5, "no daisy-bell subscribers")
    assert_nothing_more(page, "/streams/daisy-bell")
