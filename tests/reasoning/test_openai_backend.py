"""The OpenAI-compatible path against a real HTTP server on 127.0.0.1 started by the test."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from emoreason.errors import BackendError
from emoreason.reasoning import get_reasoner
from emoreason.reasoning.backends.openai_compat import OpenAIBackend
from emoreason.reasoning.llm import ChatMessage
from tests.reasoning.factory import sarcastic_request

GOOD = {
    "emotions": ["angry", "sarcastic", "furious", "heartbroken", "blorp"],
    "explanation": "In the video, he smiles broadly [F1] (0.4-2.1 s). In the audio, he speaks loudly [V1]. "
                   "In the text, the words are hostile [T1]. Therefore, the smile is sarcastic and he is angry.",
    "cited_clues": ["F1", "V1", "T1"],
}


@dataclass
class Reply:
    """One scripted HTTP reply."""

    status: int = 200
    content: str | None = None  # chat message content; None → use `body`
    body: str | None = None
    delay: float = 0.0


@dataclass
class Script:
    """Replies served in order (the last one repeats) and the requests received."""

    replies: list[Reply] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)
    headers: list[dict] = field(default_factory=list)

    def next(self) -> Reply:
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


def _chat_body(content: str) -> str:
    return json.dumps({
        "id": "x", "object": "chat.completion", "model": "test-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5},
    })


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            script.requests.append(json.loads(self.rfile.read(length)))
            script.headers.append(dict(self.headers))
            reply = script.next()
            if reply.delay:
                time.sleep(reply.delay)
            body = reply.body if reply.content is None else _chat_body(reply.content)
            data = (body or "").encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script(replies=[Reply(content=json.dumps(GOOD))])
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", script
    finally:
        httpd.shutdown()
        httpd.server_close()


def _reasoner(url: str, **kw: object):  # noqa: ANN202
    return get_reasoner("openai", model="test-model", base_url=url, api_key="sk-test", **kw)  # type: ignore[arg-type]


def test_good_reply(server: tuple[str, Script]) -> None:
    url, script = server
    outcome = _reasoner(url).reason(sarcastic_request())
    exp = outcome.explanation
    assert exp.writer == "openai" and exp.model == f"openai:test-model@{url}" and exp.prompt == "emoreason"
    assert exp.violations == [] and exp.fallback_reason is None and exp.attempts == 1
    assert len(exp.cited_clues) == 3
    assert exp.model_labels == ["angry", "sarcastic", "furious", "heartbroken", "blorp"]
    labels = {e.label: e for e in outcome.emotions}
    assert labels["furious"].source == "llm"  # vocabulary word whose family the evidence supports
    assert "heartbroken" not in labels and "blorp" not in labels  # sad has no support; blorp is no emotion
    assert any("not backed by the evidence" in w and "heartbroken" in w for w in outcome.warnings)
    assert outcome.emotions[0].label == "angry"
    assert script.headers[0]["Authorization"] == "Bearer sk-test"
    sent = script.requests[0]
    assert sent["model"] == "test-model" and sent["temperature"] == 0.0
    assert sent["messages"][0]["role"] == "system" and len(sent["messages"]) == 6


def test_cache_answers_repeat_calls_and_no_cache_does_not(server: tuple[str, Script]) -> None:
    url, script = server
    first = _reasoner(url).reason(sarcastic_request())
    second = _reasoner(url).reason(sarcastic_request())
    assert len(script.requests) == 1 and second.explanation.cached and not first.explanation.cached
    assert second.explanation.text == first.explanation.text
    _reasoner(url, cache=False).reason(sarcastic_request())
    assert len(script.requests) == 2


def test_fenced_reply_is_repaired(server: tuple[str, Script]) -> None:
    url, script = server
    script.replies = [Reply(content="Here you go:\n```json\n" + json.dumps(GOOD)[:-1] + ",}\n```")]
    outcome = _reasoner(url).reason(sarcastic_request())
    assert outcome.explanation.writer == "openai" and outcome.explanation.attempts == 1


def test_invalid_answer_is_retried_once_then_accepted(server: tuple[str, Script]) -> None:
    url, script = server
    script.replies = [Reply(content="The person seems angry and sarcastic."), Reply(content=json.dumps(GOOD))]
    outcome = _reasoner(url).reason(sarcastic_request())
    assert outcome.explanation.attempts == 2 and outcome.explanation.writer == "openai"
    retry = script.requests[1]["messages"]
    assert retry[-2]["role"] == "assistant" and "could not be used" in retry[-1]["content"]


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(content="I think the person is angry."), "not valid JSON"),  # malformed JSON, twice
        (Reply(content=""), "empty reply"),  # empty content
        (Reply(body="this is not json"), "not a chat-completion reply"),  # malformed HTTP body
        (Reply(body=json.dumps({"choices": []})), "not a chat-completion reply"),
        (Reply(status=500, body="boom"), "HTTP 500"),  # server error, retried then given up
        (Reply(status=401, body='{"error": "bad key"}'), "HTTP 401"),
    ],
)
def test_failures_fall_back_to_template_with_warning(server: tuple[str, Script], reply: Reply, reason: str) -> None:
    url, script = server
    script.replies = [reply]
    outcome = _reasoner(url).reason(sarcastic_request())
    exp = outcome.explanation
    assert exp.writer == "template" and reason in (exp.fallback_reason or "")
    assert exp.model_labels == []  # nothing guessed from unparsable text
    assert any("fell back" in w or "template instead" in w for w in outcome.warnings)
    assert outcome.emotions[0].label == "angry"  # fusion labels are unaffected
    assert exp.text.startswith("In the video,")


def test_slow_server_times_out(server: tuple[str, Script]) -> None:
    url, script = server
    script.replies = [Reply(content=json.dumps(GOOD), delay=2.0)]
    backend = OpenAIBackend(base_url=url, model="test-model", timeout=0.5)
    started = time.perf_counter()
    with pytest.raises(BackendError, match="no reply within 0.5 s"):
        backend.complete([ChatMessage(role="user", content="hi")])
    assert time.perf_counter() - started < 2.0
    outcome = _reasoner_with_timeout(url).reason(sarcastic_request())
    assert outcome.explanation.writer == "template" and "no reply within" in outcome.explanation.fallback_reason


def _reasoner_with_timeout(url: str):  # noqa: ANN202
    from emoreason.reasoning.writers.llm import OpenAIReasoner

    return OpenAIReasoner(model="test-model", base_url=url, timeout=0.5)


def test_transient_429_is_retried(server: tuple[str, Script]) -> None:
    url, script = server
    script.replies = [Reply(status=429, body="slow down"), Reply(content=json.dumps(GOOD))]
    backend = OpenAIBackend(base_url=url, model="test-model", backoff=0.01)
    reply = backend.complete([ChatMessage(role="user", content="hi")])
    assert reply.text and len(script.requests) == 2 and reply.prompt_tokens == 10


def test_unreachable_endpoint_is_a_backend_error() -> None:
    backend = OpenAIBackend(base_url="http://127.0.0.1:9/v1", model="m", timeout=1.0, max_retries=0)
    with pytest.raises(BackendError, match="127.0.0.1:9"):
        backend.complete([ChatMessage(role="user", content="hi")])


@pytest.mark.parametrize("url", ["notaurl", "127.0.0.1:8080/v1", "ftp://host/v1", "http://"])
def test_a_base_url_that_is_not_http_is_refused_at_once(url: str) -> None:
    with pytest.raises(BackendError, match="not an http\\(s\\) URL"):
        OpenAIBackend(base_url=url, model="m")


def test_configuration_from_environment(monkeypatch: pytest.MonkeyPatch, server: tuple[str, Script]) -> None:
    url, script = server
    monkeypatch.setenv("EMOREASON_OPENAI_BASE_URL", url)
    monkeypatch.setenv("EMOREASON_OPENAI_MODEL", "env-model")
    monkeypatch.setenv("EMOREASON_OPENAI_API_KEY", "sk-env")
    outcome = get_reasoner("openai", prompt="emer").reason(sarcastic_request())
    assert outcome.explanation.prompt == "emer" and outcome.explanation.writer == "openai"
    assert script.requests[0]["model"] == "env-model"
    assert script.headers[0]["Authorization"] == "Bearer sk-env"


def test_missing_configuration_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EMOREASON_OPENAI_BASE_URL", "OPENAI_BASE_URL", "EMOREASON_OPENAI_MODEL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(BackendError, match="base_url"):
        get_reasoner("openai", model="m")
    with pytest.raises(BackendError, match="model"):
        get_reasoner("openai", base_url="http://127.0.0.1:1/v1")


def test_json_mode_is_requested(server: tuple[str, Script]) -> None:
    url, script = server
    OpenAIBackend(base_url=url, model="m").complete([ChatMessage(role="user", content="hi")], json_mode=True)
    assert script.requests[0]["response_format"] == {"type": "json_object"}
