"""The LLM stand-in (docs/llm.md) read by the official SDKs, `openai` and `anthropic` from PyPI, as an application
would read a real provider: scripts/llm-sdk-check installs them in a venv and runs this file.

Each test names what the SDK must see: the streamed text and usage, tool-call arguments assembled from their
pieces, an error sent inside a 200 raised as the SDK's own error type, a 429 retried after its Retry-After, and a
stream cut before its final event reported as an error, not as a short answer."""
import json
import re
import time
import uuid
from pathlib import Path

import anthropic
import httpx2
import openai
import pytest

HELLO = "Hello! I am a scripted model served by Cuecast. Every token you read was written in a scenario file."
ROOT = Path(__file__).resolve().parents[2]


def oai(base, **options):
    options.setdefault("max_retries", 0)
    return openai.OpenAI(base_url=base + "/v1", api_key="cuecast", **options)


def claude(base, **options):
    options.setdefault("max_retries", 0)
    return anthropic.Anthropic(base_url=base, api_key="cuecast", **options)


ASK = [{"role": "user", "content": "Say hello."}]


# OpenAI Chat Completions

def test_chat_stream_text_and_usage(base):
    stream = oai(base).chat.completions.create(model="cuecast-hello", messages=ASK, stream=True, stream_options={"include_usage": True})
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == HELLO
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == len([c for c in chunks if c.choices and c.choices[0].delta.content])
    assert chunks[-1].usage.prompt_tokens == 12 and chunks[-1].usage.total_tokens == 12 + chunks[-1].usage.completion_tokens
    assert len({c.id for c in chunks}) == 1 and chunks[0].id.startswith("chatcmpl-") and chunks[0].created > 1_700_000_000


def test_chat_tool_call_arguments_assembled(base):
    calls = {}
    finish = None
    for chunk in oai(base).chat.completions.create(model="cuecast-weather", messages=ASK, stream=True):
        for call in chunk.choices[0].delta.tool_calls or []:
            entry = calls.setdefault(call.index, {"name": None, "arguments": "", "pieces": 0})
            if call.function.name:
                entry["name"] = call.function.name
            if call.function.arguments:
                entry["arguments"] += call.function.arguments
                entry["pieces"] += 1
        finish = chunk.choices[0].finish_reason or finish
    assert finish == "tool_calls"
    assert calls[0]["name"] == "get_weather" and calls[0]["pieces"] > 1
    assert json.loads(calls[0]["arguments"]) == {"location": "Paris, France", "unit": "celsius"}


def test_chat_without_stream(base):
    reply = oai(base).chat.completions.create(model="cuecast-hello", messages=ASK)
    assert reply.object == "chat.completion" and reply.choices[0].message.content == HELLO and reply.choices[0].finish_reason == "stop"
    assert reply.usage.prompt_tokens == 12


def test_chat_in_band_error_raises_api_error(base):
    seen = []
    with pytest.raises(openai.APIError) as raised:
        for chunk in oai(base).chat.completions.create(model="cuecast-overloaded", messages=ASK, stream=True):
            seen.append(chunk.choices[0].delta.content or "")
    assert "server had an error" in raised.value.message
    assert len([s for s in seen if s]) == 5


def test_chat_429_is_retried_after_retry_after(base):
    client = oai(base, max_retries=2, default_headers={"X-Cuecast-Fault": "rate-limit=1,ok", "X-Cuecast-Client": str(uuid.uuid4())})
    started = time.monotonic()
    reply = client.chat.completions.create(model="cuecast-hello", messages=ASK)
    assert reply.choices[0].message.content == HELLO
    assert time.monotonic() - started >= 0.9, "the SDK retried before Retry-After said"


def test_chat_429_surfaces_as_rate_limit_error(base):
    with pytest.raises(openai.RateLimitError) as raised:
        oai(base).chat.completions.create(model="cuecast-hello+rate-limit=7", messages=ASK, stream=True)
    assert raised.value.response.headers["retry-after"] == "7"
    assert raised.value.response.headers["x-ratelimit-remaining-requests"] == "0"
    assert raised.value.code == "rate_limit_exceeded"


def test_chat_truncated_stream_is_an_error(base):
    seen = []
    with pytest.raises(openai.APIConnectionError) as raised:
        for chunk in oai(base).chat.completions.create(model="cuecast-truncated", messages=ASK, stream=True):
            seen.append(chunk.choices[0].delta.content or "")
    assert isinstance(raised.value.__cause__, httpx2.RemoteProtocolError), "the body was cut, not ended"
    assert "".join(seen) == "This reply is cut short"


def test_unknown_model_is_not_found(base):
    with pytest.raises(openai.NotFoundError) as raised:
        oai(base).chat.completions.create(model="gpt-nothing", messages=ASK)
    assert raised.value.code == "model_not_found" and raised.value.body["param"] == "model"


def test_models_list(base):
    ids = [m.id for m in oai(base).models.list()]
    assert {"cuecast-hello", "cuecast-weather", "cuecast-overloaded", "cuecast-truncated"} <= set(ids)
    ids = [m.id for m in claude(base).models.list()]
    assert "cuecast-hello" in ids


# OpenAI Responses

def test_responses_stream_typed_events(base):
    events = list(oai(base).responses.create(model="cuecast-hello", input="Say hello.", stream=True))
    types = [e.type for e in events]
    assert types[:4] == ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"]
    assert types[-4:] == ["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"]
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == HELLO
    assert events[-1].response.output_text == HELLO and events[-1].response.usage.input_tokens == 12


def test_responses_function_call(base):
    events = list(oai(base).responses.create(model="cuecast-weather", input="Weather?", stream=True))
    arguments = "".join(e.delta for e in events if e.type == "response.function_call_arguments.delta")
    assert json.loads(arguments) == {"location": "Paris, France", "unit": "celsius"}
    call = events[-1].response.output[0]
    assert call.type == "function_call" and call.name == "get_weather" and json.loads(call.arguments)["unit"] == "celsius"


def test_responses_in_band_error_event(base):
    events = list(oai(base).responses.create(model="cuecast-overloaded", input="Hi", stream=True))
    assert events[-1].type == "error" and events[-1].code == "server_error"
    assert len([e for e in events if e.type == "response.output_text.delta"]) == 5


# Anthropic Messages

def test_messages_stream_text_and_usage(base):
    with claude(base).messages.stream(model="cuecast-hello", max_tokens=100, messages=ASK) as stream:
        text = "".join(stream.text_stream)
        message = stream.get_final_message()
    assert text == HELLO
    assert message.stop_reason == "end_turn" and message.usage.input_tokens == 12 and message.usage.output_tokens > 10


def test_messages_tool_use_input_assembled(base):
    with claude(base).messages.stream(model="cuecast-think-then-call", max_tokens=100, messages=ASK) as stream:
        message = stream.get_final_message()
    assert message.stop_reason == "tool_use"
    assert message.content[0].text == "Let me check both cities."
    assert [(b.name, b.input) for b in message.content[1:]] == [("get_weather", {"location": "Paris"}), ("get_weather", {"location": "Tokyo"})]


def test_messages_without_stream(base):
    message = claude(base).messages.create(model="cuecast-weather", max_tokens=100, messages=ASK)
    assert message.content[0].type == "tool_use" and message.content[0].input == {"location": "Paris, France", "unit": "celsius"}


def test_messages_in_band_overloaded_error(base):
    seen = []
    with pytest.raises(anthropic.APIStatusError) as raised:
        with claude(base).messages.stream(model="cuecast-overloaded", max_tokens=100, messages=ASK) as stream:
            for text in stream.text_stream:
                seen.append(text)
    assert raised.value.body["error"]["type"] == "overloaded_error"
    assert len(seen) == 5


def test_messages_529_is_overloaded_error(base):
    with pytest.raises(anthropic.OverloadedError):
        claude(base).messages.create(model="cuecast-529", max_tokens=100, messages=ASK)


def test_messages_429_is_retried_after_retry_after(base):
    client = claude(base, max_retries=2, default_headers={"X-Cuecast-Fault": "rate-limit=1,ok", "X-Cuecast-Client": str(uuid.uuid4())})
    started = time.monotonic()
    message = client.messages.create(model="cuecast-hello", max_tokens=100, messages=ASK)
    assert message.content[0].text == HELLO
    assert time.monotonic() - started >= 0.9


def test_messages_truncated_stream_is_an_error(base):
    with pytest.raises(anthropic.APIConnectionError) as raised:
        with claude(base).messages.stream(model="cuecast-truncated", max_tokens=100, messages=ASK) as stream:
            for _ in stream.text_stream:
                pass
    assert isinstance(raised.value.__cause__, httpx2.RemoteProtocolError), "the body was cut, not ended"


def test_messages_bad_json_in_anthropic_shape(base):
    response = httpx2.post(base + "/v1/messages", content=b'{"model": "cuecast-hello",', headers={"content-type": "application/json"})
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "error" and body["error"]["type"] == "invalid_request_error" and "line 1" in body["error"]["message"]


# docs/llm.md: each quick start, run as written against this server.

def quick_starts():
    text = (ROOT / "docs" / "llm.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, re.S)


@pytest.mark.parametrize("index", range(2))
def test_docs_quick_start_runs(base, index, capsys):
    code = quick_starts()[index].replace("http://127.0.0.1:8080", base)
    exec(compile(code, f"docs/llm.md python block {index + 1}", "exec"), {})
    assert HELLO in capsys.readouterr().out
