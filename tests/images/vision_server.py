"""A real OpenAI-compatible vision chat server on 127.0.0.1 that checks every request it gets.

Each POST is validated before it is answered: the body must be a chat-completion request
(``model``, a ``messages`` list of role/content turns), and every user turn must carry at
least one ``image_url`` part whose URL is a ``data:image/jpeg;base64,`` payload that decodes
to a JPEG. A request that fails the check gets HTTP 400 with the reason (so the client under
test fails loudly) and the reason is recorded in ``problems``.

Replies are deterministic: ``script`` items are used first (a text, ``("status", code)`` or
``("raw", body)``); otherwise the reply follows the CFSA step named in the prompt.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TRIGGERS = {
    "emotion": "joyful", "person": "P1",
    "triggers": [
        {"text": "P1 smiles broadly at the camera", "kind": "explicit", "person": "P1", "evidence": ["P1-F1"]},
        {"text": "A celebration with friends just outside the frame", "kind": "implicit", "person": None,
         "evidence": []},
        {"text": "Six people crowd around the table", "kind": "explicit", "person": None, "evidence": ["nope"]},
    ],
}
STEP_REPLIES = {
    "Step 1 of 4": {"person": "P1", "emotion": "happy", "first_look": "a smiling face",
                    "question": "Why does P1 smile?"},
    "Step 2 of 4": {"questions": ["What is P1 looking at?", "Is anyone else there?"]},
    "Step 3 of 4": {"answers": [{"question": "What is P1 looking at?", "answer": "the camera"},
                                {"question": "Is anyone else there?", "answer": "cannot tell"}]},
    "Step 4 of 4": TRIGGERS,
    "Describe the scene": {"setting": "a beach at sunset", "people_count": 5,
                           "clues": [{"description": "friends pose arm in arm by the sea", "time": 0.0,
                                      "objects": ["sea", "rocks"]}]},
}


@dataclass
class VisionScript:
    """What the server answers next, what it was asked, and what was wrong with the requests."""

    replies: list[object] = field(default_factory=list)
    requests: list[dict[str, object]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def check_request(body: object) -> str | None:
    """Why `body` is not a valid vision chat request with images, or None when it is."""
    if not isinstance(body, dict) or not isinstance(body.get("model"), str) or not body["model"]:
        return "no model name"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages must be a non-empty list"
    user_turns = 0
    for m in messages:
        if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant"):
            return f"bad message {m!r:.80}"
        content = m.get("content")
        if isinstance(content, str):
            if m["role"] == "user" and user_turns == 0:
                return "the first user turn has no image part"
            continue
        if not isinstance(content, list) or not all(isinstance(p, dict) and "type" in p for p in content):
            return "content must be a string or a list of typed parts"
        user_turns += m["role"] == "user"
        images = [p for p in content if p["type"] == "image_url"]
        if m["role"] == "user" and not images:
            return "user turn without an image part"
        for part in images:
            url = str(part.get("image_url", {}).get("url", ""))
            prefix = "data:image/jpeg;base64,"
            if not url.startswith(prefix):
                return f"image is not a base64 JPEG data URL: {url[:40]!r}"
            data = base64.b64decode(url[len(prefix):], validate=True)
            if data[:3] != b"\xff\xd8\xff":
                return "image payload is not a JPEG"
        if not any(p["type"] == "text" and p.get("text") for p in content):
            return "user turn without text"
    return None


def _scripted_reply(body: dict[str, object]) -> str:
    last = body["messages"][-1]  # type: ignore[index]
    content = last["content"]
    text = content if isinstance(content, str) else " ".join(p.get("text", "") for p in content)
    for marker, reply in STEP_REPLIES.items():
        if marker in text:
            return json.dumps(reply)
    return json.dumps(TRIGGERS)


def _handler(script: VisionScript) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802 - http.server API
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            script.requests.append(body)
            problem = check_request(body)
            if problem is not None:
                script.problems.append(problem)
                self._send(400, json.dumps({"error": problem}).encode())
                return
            reply = script.replies.pop(0) if script.replies else _scripted_reply(body)
            if isinstance(reply, tuple) and reply[0] == "status":
                self._send(int(reply[1]), b'{"error": "boom"}')
            elif isinstance(reply, tuple) and reply[0] == "raw":
                self._send(200, str(reply[1]).encode())
            else:
                payload = {"id": "x", "object": "chat.completion", "model": body["model"],
                           "choices": [{"index": 0, "finish_reason": "stop",
                                        "message": {"role": "assistant", "content": str(reply)}}]}
                self._send(200, json.dumps(payload).encode())

        def _send(self, code: int, data: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def serve(script: VisionScript) -> Iterator[str]:
    """Run the server in a thread; yields its base URL (``http://127.0.0.1:PORT/v1``)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
