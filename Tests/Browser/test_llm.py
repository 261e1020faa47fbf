"""The LLM streams lesson (public/llm.html) in headless Chromium: a page that reads the scripted model's stream with
fetch and a stream reader, steps it on the manual clock, sees each fault, and resumes a dropped stream."""


def send(page, api="chat", model="cuecast-hello", fault="", manual=False, ids=True):
    page.open("/llm.html")
    page.wait(lambda: page.js("return window.llm?.ready === true"), 10, "the page to load its models")
    page.js(
        "document.querySelector('#api').value = arguments[0]; document.querySelector('#model').value = arguments[1];"
        "document.querySelector('#fault').value = arguments[2]; document.querySelector('#manual').checked = arguments[3];"
        "document.querySelector('#ids').checked = arguments[4];",
        api, model, fault, manual, ids,
    )
    page.click("#send")


def expect_console_error(page, fragment):
    """The fault's own console error (Chromium logs a failed load): present, then set aside so the fixture's check of
    no other console error still holds."""
    page.collect_logs()
    expected = [e for e in page.console if e["level"] == "SEVERE" and fragment in e["message"]]
    assert expected, f"no console error with {fragment!r}"
    page.console = [e for e in page.console if e not in expected]


HELLO = "Hello! I am a scripted model served by Cuecast. Every token you read was written in a scenario file."


def test_each_api_streams_the_whole_answer(page, server):
    for api in ["chat", "responses", "messages"]:
        send(page, api=api)
        page.wait(lambda: page.js("return window.llm.ended") is not None, 15, f"{api} to finish")
        assert page.js("return window.llm.ended") == "complete", api
        assert page.text("#answer") == HELLO, api
        assert "data: " in page.js("return window.llm.raw")


def test_in_band_error_is_reported(page, server):
    send(page, api="messages", fault="error-after=5")
    page.wait(lambda: page.js("return window.llm.ended") is not None, 15, "the error")
    assert page.js("return window.llm.ended") == "error"
    assert "overloaded_error" in page.js("return window.llm.error")
    assert len(page.js("return window.llm.tokens")) == 5


def test_truncated_stream_is_not_a_whole_answer(page, server):
    send(page, api="chat", fault="truncate-after=5")
    page.wait(lambda: page.js("return window.llm.ended") is not None, 15, "the cut")
    assert page.js("return window.llm.ended") in ("error", "closed without its final event")
    assert page.text("#answer") == "Hello! I am a"
    expect_console_error(page, "ERR_INCOMPLETE_CHUNKED_ENCODING")


def test_rate_limit_shows_retry_after(page, server):
    send(page, api="responses", fault="rate-limit=2")
    page.wait(lambda: page.js("return window.llm.error") is not None, 10, "the 429")
    assert page.js("return [window.llm.error, window.llm.retryAfter]") == ["HTTP 429", "2"]
    expect_console_error(page, "status of 429")


def test_manual_clock_steps_tokens_one_by_one(page, server):
    send(page, manual=True)
    page.wait(lambda: page.js("return window.llm.state") == "streaming", 10, "the stream to open")
    for n in range(1, 4):
        page.click("#next")
        page.wait(lambda: len(page.js("return window.llm.tokens")) == n, 10, f"token {n}")
    assert page.js("return window.llm.tokens") == ["Hello", "!", " I"]


def test_dropped_stream_resumes_with_last_event_id(page, server):
    send(page, api="messages", manual=True)
    page.wait(lambda: page.js("return window.llm.state") == "streaming", 10, "the stream to open")
    for n in range(1, 4):
        page.click("#next")
        page.wait(lambda: len(page.js("return window.llm.tokens")) == n, 10, f"token {n}")
    page.click("#drop")
    page.wait(lambda: page.js("return window.llm.ended") is not None, 10, "the drop")
    assert page.js("return window.llm.ended") != "complete"
    expect_console_error(page, "ERR_INCOMPLETE_CHUNKED_ENCODING")
    page.js("document.querySelector('#manual').checked = false")
    page.click("#resume")
    page.wait(lambda: page.js("return window.llm.ended") == "complete", 15, "the resumed stream to finish")
    assert page.text("#answer") == HELLO
