"""A workshop on a LAN: the server listens beyond loopback (`--host 0.0.0.0`) with a publish token. The teacher's
browser is given the token once (`?token=` on any page; the pages keep it and send it); a student's browser has none.
Every page with a publishing button is tried by both: the teacher's triggers, publishes and drops work and reach the
student; the student's stream works, but their buttons are refused with a 401 the page explains.

The server decides "beyond loopback" by the address it listens on, not by the client's: on 0.0.0.0 publishing needs
the token from every client, so both browsers connect through 127.0.0.1 (tests send traffic to loopback only)."""
import json
import urllib.request

import pytest

from conftest import PageHelper, make_driver, start_server, stop_server

TOKEN = "class-secret-7f3a"


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    srv = start_server(tmp_path_factory.mktemp("classroom"), ["--publish-token", TOKEN], host="0.0.0.0")
    yield srv
    stop_server(srv)


@pytest.fixture(scope="module")
def teacher(classroom):
    driver = make_driver()
    yield PageHelper(driver, classroom)
    driver.quit()


@pytest.fixture(scope="module")
def student(classroom):
    driver = make_driver()  # a browser of its own: its own localStorage, never given the token
    yield PageHelper(driver, classroom)
    driver.quit()


def connections(server):
    """GET /api/connections with the token (beyond loopback the list may need it)."""
    request = urllib.request.Request(server.url("/api/connections"), headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=5) as r:
        return json.load(r)["connections"]


def test_the_start_up_log_names_addresses_students_can_open(classroom):
    log = classroom.log_path.read_text()
    line = next(l for l in log.splitlines() if "cuecast is serving" in l)
    assert "0.0.0.0" in line and f"http://127.0.0.1:{classroom.port}/" in line, line
    assert f"http://0.0.0.0:{classroom.port}" not in log


def test_the_token_is_handed_over_once_and_taken_out_of_the_address_bar(teacher):
    teacher.open(f"/prices.html?history=none&token={TOKEN}")
    teacher.wait(lambda: teacher.js("return location.search") == "?history=none", 5, "the token to leave the address bar")
    assert teacher.js("return localStorage.getItem('cuecast.publishToken')") == TOKEN
    assert not teacher.js("return document.querySelector('#token-state').hidden")


def test_prices_crash(teacher, student):
    student.open("/prices.html")
    student.wait(lambda: student.js("return document.querySelectorAll('.tile').length") == 6, 10, "the student's six tiles")
    teacher.open("/prices.html")
    teacher.wait(lambda: teacher.js("return window.cuecast?.state") == "open", 10, "the teacher's stream")
    teacher.click("#crash")
    student.wait(lambda: "crash" in (student.text("#market") or "").lower(), 5, "the crash on the student's page")
    assert not teacher.js("return document.querySelector('#market').classList.contains('refusal')")

    student.click("#crash")
    student.wait(lambda: "refused" in (student.text("#market") or ""), 5, "the refusal on the student's page")
    said = student.text("#market")
    assert "401" in said and "?token=" in said and "publish token" in said, said
    assert student.js("return document.querySelector('#market').classList.contains('refusal')")


def test_notifications_breaking(teacher, student):
    student.open("/notifications.html")
    student.wait(lambda: student.js("return window.cuecast?.state") == "open", 10, "the student's stream")
    teacher.open("/notifications.html")
    teacher.wait(lambda: teacher.js("return window.cuecast?.state") == "open", 10, "the teacher's stream")
    teacher.click("#breaking")
    student.wait(lambda: student.js("return document.querySelectorAll('.toast.breaking').length") >= 1, 5, "a breaking toast for the student")
    assert teacher.js("return document.querySelector('#refused').hidden")
    student.click("#breaking")
    student.wait(lambda: not student.js("return document.querySelector('#refused').hidden"), 5, "the student's refusal")
    assert "401" in student.text("#refused") and "?token=" in student.text("#refused")


def test_generate_publish_and_trigger(teacher, student):
    student.open("/generate.html?channel=class")
    student.wait(lambda: student.js("return window.cuecast?.state") == "open", 10, "the student's channel")
    teacher.open("/generate.html?channel=class")
    teacher.wait(lambda: teacher.js("return window.cuecast?.state") == "open", 10, "the teacher's channel")
    # The page's token field shows the token this browser keeps.
    assert teacher.js("return document.querySelector('#token').value") == TOKEN
    assert student.js("return document.querySelector('#token').value") == ""
    data = teacher.driver.find_element("css selector", "#data")
    data.clear()
    data.send_keys("from the teacher")
    teacher.click("#publish button[type=submit]")
    teacher.wait(lambda: "HTTP 202" in (teacher.text("#response") or ""), 5, "the teacher's 202")
    student.wait(lambda: "from the teacher" in (student.text("#live") or ""), 5, "the event on the student's page")
    teacher.click("#triggers button")
    teacher.wait(lambda: (teacher.text("#response") or "").count("HTTP 202") == 1 and '"trigger"' in teacher.text("#response"), 5, "the trigger's 202")

    student.click("#publish button[type=submit]")
    student.wait(lambda: "HTTP 401" in (student.text("#response") or ""), 5, "the student's 401")
    said = student.text("#response")
    assert "token_required" in said and "?token=" in said, said
    student.click("#triggers button")
    student.wait(lambda: "HTTP 401" in (student.text("#response") or ""), 5, "the student's trigger refused")


def test_inspector_drop(teacher, student, classroom):
    teacher.open("/inspector.html?stream=dice&speed=8")
    teacher.wait(lambda: len(teacher.js("return window.inspector.esEvents")) >= 2, 10, "the teacher's rolls")
    teacher.wait(lambda: "Open: streaming" in (teacher.text("#message") or ""), 5, "the inspector to say it is open")
    teacher.click("#drop-es")
    teacher.wait(lambda: teacher.js("return window.inspector.reconnects") == 1, 8, "the teacher's EventSource to be dropped and reconnect")
    assert "Reconnected" in teacher.text("#message") or "HTTP 202" in teacher.text("#message"), teacher.text("#message")

    student.open("/inspector.html?stream=dice&speed=8")
    student.wait(lambda: len(student.js("return window.inspector.esEvents")) >= 2, 10, "the student's rolls")
    label = student.js("return window.inspector.label")
    student.click("#drop-es")
    student.wait(lambda: "refused" in (student.text("#message") or ""), 5, "the student's drop refused")
    assert "401" in student.text("#message") and "?token=" in student.text("#message")
    assert student.js("return window.inspector.reconnects") == 0
    assert [c["client"] for c in connections(classroom)].count(label + "-es") == 1  # still connected


def test_the_teacher_pages_logged_no_errors(teacher):
    teacher.driver.get("about:blank")
    teacher.assert_no_console_errors()
