"""What the lab's Python client adapters share (docs/conformance-matrix.md).

The lab runs an adapter once per case as `ADAPTER URL`, with what the case asks in the environment (`cuecast conformance
--help`); the adapter prints one JSON line per event the library hands it, and exits when the library stops.
"""
import json
import os
import sys

ENV = os.environ
URL = sys.argv[1]
HEADERS = dict(line.split(": ", 1) for line in ENV.get("SSE_LAB_HEADERS", "").split("\n") if ": " in line)
METHOD = ENV.get("SSE_LAB_METHOD", "GET")
BODY = ENV.get("SSE_LAB_BODY")
READ_TIMEOUT = int(ENV["SSE_LAB_READ_TIMEOUT_MS"]) / 1000 if "SSE_LAB_READ_TIMEOUT_MS" in ENV else None
LAST_EVENT_ID = ENV.get("SSE_LAB_LAST_EVENT_ID")
#: The reconnection delay until a stream says otherwise: short, as `cuecast listen --default-retry 100` in the lab.
RETRY_SECONDS = 0.1


def emit(event_type, data, event_id):
    """One dispatched event, as the lab reads it (`cuecast listen --json`'s shape)."""
    print(json.dumps({"type": event_type, "data": data, "id": event_id}), flush=True)


def is_event_stream(content_type):
    """The WHATWG check, for a library that only parses and leaves the response to its caller: the MIME type's
    essence (lower-cased, parameters dropped) is text/event-stream."""
    return (content_type or "").split(";")[0].strip().lower() == "text/event-stream"


def retry_seconds(value, current):
    """A `retry` value the library reports (it may be a string), in seconds; `current` if it is not all digits."""
    text = str(value) if value is not None else ""
    return int(text) / 1000 if text.isdigit() else current
