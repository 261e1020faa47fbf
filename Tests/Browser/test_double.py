"""Cuecast as a test double, in headless Chromium: the inspector's fault switches and the conformance lab page."""
import json
from pathlib import Path

from test_pages import inspector_events, parse_event_stream

ROOT = Path(__file__).resolve().parents[2]


def run_inspector(page, query):
    page.open(f"/inspector.html?stream=wire-format-tour&speed=20{query}")
    page.wait(lambda: page.js("return window.inspector?.states.some(s => s.readyState === 2)"), 20, "the tour to end")
    return inspector_events(page), page.js("return window.inspector.raw")


def test_inspector_fault_switches_change_the_bytes_not_the_events(page, server):
    clean, _ = run_inspector(page, "")
    events, raw = run_inspector(page, "&junk=1&lineEnding=cr&bom=1&drip=0")
    assert clean and events == clean
    # The page's own spec parser agrees with Chromium's EventSource on the faulty bytes.
    assert parse_event_stream(raw) == clean
    assert "x-cuecast-junk" in raw and "\n" not in raw
    marks = set(page.js("return [...document.querySelectorAll('#raw .eol')].map(e => e.textContent)"))
    assert marks == {"CR"}
    # The switches show what the page asked for, and the stream URL carried them.
    assert page.js("return document.querySelector('#fault-junk').checked") is True
    assert page.js("return document.querySelector('#fault-lineEnding').value") == "cr"


def test_inspector_close_mid_event_resumes_without_gap(page, server):
    page.open("/inspector.html?stream=dice&speed=20&closeMidEvent=3")
    page.wait(lambda: len(inspector_events(page)) >= 7, 20, "rolls over several connections")
    page.click("#close")
    ids = [int(e["lastEventId"]) for e in inspector_events(page)]
    assert ids == list(range(1, len(ids) + 1)), ids  # the cut event comes again whole: no gap, no duplicate
    assert page.js("return window.inspector.reconnects") >= 2


def test_conformance_lab_in_chromium(page, server):
    page.open("/conformance.html")
    page.wait(lambda: page.js("return window.conformance?.done"), 240, "every case to run")
    results = page.js("return window.conformance.results")
    state = page.js("return window.conformance")
    cases = server.get_json("/api/conformance")["cases"]
    verdicts = {r["name"]: r["verdict"] for r in results}
    failed = {name: verdict for name, verdict in verdicts.items() if verdict == "fail"}
    print(f"\nheadless Chromium: {state['passed']}/{state['run']}; failed: {sorted(failed)}")
    # The whole catalogue: every case either ran or is marked as needing what an EventSource cannot do.
    assert len(results) == state["total"] == len(cases)
    assert not failed, [r for r in results if r["verdict"] == "fail"]
    needing = {c["name"] for c in cases if c.get("capability")}
    assert needing and {n for n, v in verdicts.items() if v == "not supported"} == needing
    assert state["run"] == len(cases) - len(needing) == state["passed"]
    # Chromium refuses a charset other than UTF-8: the browsers' side of the one disagreement.
    assert verdicts["content-type-charset"] == "pass (browser behaviour)"
    run = len(cases) - len(needing)
    assert page.text("#score").startswith(f"Score: {run}/{run} (100%)")
    assert f"{len(needing)} not supported" in page.text("#score")
    page.screenshot("conformance")
    # The failing cases make Chromium log their refusals (status 500, text/plain, no Content-Type): expected here.
    page.collect_logs()
    page.console.clear()


def test_conformance_page_shows_the_published_matrix_without_scrolling_sideways(page, server):
    """The page shows the published matrix (public/conformance-matrix.json) beside its own result, and its tables fit a
    1366 px wide screen (issue 24: the table scrolled sideways)."""
    published = json.loads((ROOT / "public" / "conformance-matrix.json").read_text())
    metrics = {"width": 1366, "height": 800, "deviceScaleFactor": 1, "mobile": False}
    page.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    try:
        page.open("/conformance.html?case=format-bom&case=invalid-utf-8&case=ld-post")
        page.wait(lambda: page.js("return window.conformance?.done"), 60, "three cases to run")
        rows = page.js("return [...document.querySelectorAll('#matrix tbody tr')].map(r => [...r.cells].map(c => c.textContent))")
        assert [r[0].split(" ")[0] for r in rows[:-1]] == [c["name"].split(" ")[0] for c in published["clients"]]
        assert rows[-1][0] == "this browser (now)" and rows[-1][1] == "2/2"
        for row, client in zip(rows, published["clients"]):
            assert row[1] == f"{client['passed']}/{client['run']}"
        # Each case's row says which published clients fail it.
        others = page.js("return Object.fromEntries([...document.querySelectorAll('#results tr')].map(r => [r.cells[0].textContent, r.cells[5].textContent]))")
        failing = [c["name"] for c in published["clients"] if c["verdicts"].get("invalid-utf-8") == "fail"]
        assert others["invalid-utf-8"] == (f"fail: {', '.join(failing)}" if failing else "all pass")
        assert page.js("return document.querySelector('#results tr:last-child').dataset.verdict") == "not supported"
        width = page.js("return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], width
    finally:
        page.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "width": 1000, "height": 700})


def test_manual_clock_steps_a_browser_event_source(page, server):
    """The docs' Playwright example, with Selenium: the page's EventSource gets each event when the test says."""
    page.open("/index.html")
    page.js("""
        window.got = [];
        const source = new EventSource("/streams/random-named-events?clock=manual&client=e2e");
        for (const type of ["coinToss", "dieRoll", "catFact", "meme", "message"])
          source.addEventListener(type, (e) => { window.got.push(e.lastEventId); if (e.lastEventId === "-1") source.close(); });
        source.onopen = () => { window.opened = true; };
    """)
    page.wait(lambda: page.js("return window.opened === true"), 5, "the stream to open")
    playbacks = server.get_json("/api/playbacks")["playbacks"]
    assert [p["client"] for p in playbacks] == ["e2e"] and playbacks[0]["paused"] is True
    assert page.js("return window.got") == []                      # time stands still
    status, body = server.post("/api/playbacks/e2e/next")
    assert status == 200 and json.loads(body)["elapsedMs"] == 1000
    page.wait(lambda: page.js("return window.got") == ["1"], 5, "the first event")
    server.post("/api/playbacks/e2e/advance?by=6s")
    page.wait(lambda: page.js("return window.got") == ["1", "2", "3"], 5, "two more events")
    server.post("/api/playbacks/e2e/advance?by=100s")
    page.wait(lambda: page.js("return window.got.at(-1)") == "-1", 5, "the sentinel")
    assert page.js("return window.got") == [str(n) for n in range(1, 31)] + ["-1"]
