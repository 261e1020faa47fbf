"""The six-connection lesson reached the way a class reaches it: from another page, and with another tab open.

A page left by navigation used to keep its EventSource for about 25 s, holding one of HTTP/1.1's six connections, so
the lesson showed five open and three waiting. Every page now closes its streams on `pagehide`; and when another tab
really holds a stream, the lesson asks the server (`GET /api/connections/mine`) and says so."""
from conftest import PageHelper, make_driver
from test_connections import N, h1_page, h2_page, states, wait_agree  # noqa: F401 (fixtures)


def lesson_from(page, first_page, ready):
    """Opens `first_page`, waits until its stream is open (`ready`), then follows a link to the lesson, as a person
    would (a navigation, not a new tab)."""
    page.open(first_page)
    page.wait(ready, 10, f"{first_page}'s stream to open")
    page.js("location.href = '/connections.html'")
    page.wait(lambda: page.js("return location.pathname") == "/connections.html" and page.js("return window.lesson?.streams.length") == N,
              10, "the lesson to start")


def test_from_a_scenario_page_six_open_two_wait_over_http1(h1_page, tls_server):
    page, server = h1_page, tls_server
    lesson_from(page, "/lyrics.html", lambda: page.js("return window.cuecast?.state") == "open")
    page.wait(lambda: states(page) == ["open"] * 6 + ["connecting"] * 2, 15, "six open, two waiting")
    # The lyrics page closed its stream as it was left: the lesson saw none held elsewhere.
    assert page.js("return window.lesson.elsewhere.streams") == 0, page.text("#elsewhere")
    assert page.text("#count-elsewhere") == "0"
    assert "No other stream from your address" in page.text("#elsewhere")
    wait_agree(page, server, [f"lesson-{i}" for i in range(1, 7)])
    assert not server.open_connections("/streams/daisy-bell")


def test_from_the_inspector_six_open_two_wait_over_http1(h1_page, tls_server):
    page, server = h1_page, tls_server
    # The inspector holds two connections (its EventSource and its fetch): both are given back on leaving.
    lesson_from(page, "/inspector.html?stream=clock", lambda: page.js("return window.inspector?.states.some(s => s.readyState === 1)"))
    page.wait(lambda: states(page) == ["open"] * 6 + ["connecting"] * 2, 15, "six open, two waiting")
    assert page.js("return window.lesson.elsewhere.streams") == 0, page.text("#elsewhere")
    wait_agree(page, server, [f"lesson-{i}" for i in range(1, 7)])


def test_from_a_scenario_page_all_eight_open_over_http2(h2_page, tls_server):
    page, server = h2_page, tls_server
    lesson_from(page, "/lyrics.html", lambda: page.js("return window.cuecast?.state") == "open")
    page.wait(lambda: states(page) == ["open"] * N, 15, "all eight open")
    assert page.js("return window.lesson.pageProtocol") == "h2"
    wait_agree(page, server, [f"lesson-{i}" for i in range(1, N + 1)])


def test_another_tab_holding_a_stream_is_named(tls_server):
    """A second tab on the lyrics page really holds one of the six connections: five of the lesson's streams open,
    and the page says why, with the count the server gave."""
    driver = make_driver()
    page = PageHelper(driver, tls_server)
    try:
        page.open("/lyrics.html")
        page.wait(lambda: page.js("return window.cuecast?.state") == "open", 10, "the lyrics stream in the first tab")
        driver.switch_to.new_window("tab")
        page.open("/connections.html")
        page.wait(lambda: states(page).count("open") == 5 and states(page).count("connecting") == 3, 15, "five open, three waiting")
        assert page.js("return window.lesson.elsewhere.http1") == 1
        assert page.text("#count-elsewhere") == "1"
        note = page.text("#elsewhere")
        assert "1 stream(s) from your address were already open" in note and "/streams/daisy-bell" in note, note
        assert "at most 5 of this page's streams can open" in note, note
        verdict = page.text("#verdict")
        assert "5 open, 3 waiting" in verdict and "1 of them are held by this browser's other pages or tabs" in verdict, verdict
        wait_agree(page, tls_server, [f"lesson-{i}" for i in range(1, 6)])
    finally:
        driver.quit()
