"""The docs runner itself: a doc whose output is wrong fails, a true one passes, and the matching rules (… lines,
… in a line, any time for a time) hold. Runs before the docs in scripts/doctest."""
import subprocess
import sys
from pathlib import Path

import rundocs as runner

HERE = Path(__file__).resolve().parent


def run_doc(tmp_path, text):
    doc = tmp_path / "doc.md"
    doc.write_text(text)
    return subprocess.run([sys.executable, str(HERE / "rundocs.py"), str(doc)], capture_output=True, text=True, timeout=120)


def test_a_true_transcript_passes_and_a_false_one_fails(tmp_path):
    true = run_doc(tmp_path, "```\n$ echo hello; echo world\nhello\n…\n$ curl -s http://127.0.0.1:8080/healthz\n{\"status\":\"ok\",…}\n```\n")
    assert true.returncode == 0, true.stdout + true.stderr
    false = run_doc(tmp_path, "```\n$ echo hello\ngoodbye\n```\n")
    assert false.returncode == 1 and "--- the doc says\ngoodbye\n--- it printed\nhello" in false.stderr, false.stderr


def test_a_failing_bare_command_fails_and_a_skipped_block_is_listed(tmp_path):
    failing = run_doc(tmp_path, "```sh\nfalse\n```\n")
    assert failing.returncode == 1 and "(exit 1)" in failing.stderr, failing.stderr
    skipped = run_doc(tmp_path, "<!-- doctest: skip not here -->\n```sh\nfalse\n```\n\n```sh\ntrue\n```\n")
    assert skipped.returncode == 0 and "skipped" in skipped.stdout and "not here" in skipped.stdout, skipped.stdout


def test_matching_rules():
    assert runner.matches(["a", "…", "c"], ["a", "b", "b", "c"], True)
    assert not runner.matches(["a", "c"], ["a", "b", "c"], True)
    assert runner.matches(["x: …!"], ["x: anything at all!"], True)
    assert runner.matches(["13:22:20.291  tick  id 1"], ["09:01:02.003  tick  id 1"], True)
    assert runner.matches(['{"time":"2026-11-30T14:47:14.210Z"}'], ['{"time":"2027-01-01T00:00:00Z"}'], True)
    assert not runner.matches(["id 1"], ["id 2"], True)
    # A stream still running may go on past what the doc shows; a finished command may not.
    assert runner.matches(["a"], ["a", "more"], False) and not runner.matches(["a"], ["a", "more"], True)
