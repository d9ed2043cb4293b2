"""A real OpenAI-compatible chat-completions server on 127.0.0.1 for judge tests.

Replies are scripted per request: the handler pops the next item of ``script`` (a reply
text, ``("status", code)`` for an HTTP error, or ``("raw", body)`` for a malformed body);
when the script is empty it answers ``default``. Every request body is recorded.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Script:
    """What the server answers next, and what it was asked."""

    replies: list[object] = field(default_factory=list)
    default: str = "'prediction score': 7; 'reason': close"
    requests: list[dict[str, object]] = field(default_factory=list)


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:  # noqa: N802 - http.server API
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            script.requests.append(body)
            reply = script.replies.pop(0) if script.replies else script.default
            if isinstance(reply, tuple) and reply[0] == "status":
                self._send(int(reply[1]), b'{"error": "boom"}')
            elif isinstance(reply, tuple) and reply[0] == "raw":
                self._send(200, str(reply[1]).encode())
            else:
                payload = {"id": "x", "object": "chat.completion", "model": body.get("model", "m"),
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
def serve(script: Script) -> Iterator[str]:
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
