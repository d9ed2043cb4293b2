"""Request limits of the HTTP API: body size (checked while the body streams in) and allowed roots."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class BodySizeLimit:
    """ASGI middleware: answer 413 when a request body is (or becomes) larger than `max_bytes`.

    A declared ``Content-Length`` over the limit is refused before any byte is read; a body
    without one is counted as it arrives and refused as soon as it passes the limit.
    """

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _too_large(send, self.max_bytes)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, _too_large_text(self.max_bytes))
            return message

        await self.app(scope, counting_receive, send)


def _too_large_text(max_bytes: int) -> str:
    return f"request body larger than the limit of {max_bytes} bytes ({max_bytes / 2**20:.1f} MiB)"


async def _too_large(send: Send, max_bytes: int) -> None:
    import json

    body = json.dumps({"detail": _too_large_text(max_bytes)}).encode()
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), (b"connection", b"close"),
    ]})
    await send({"type": "http.response.body", "body": body})


def resolve_allowed(value: str, roots: Sequence[str]) -> Path:
    """The real path of `value` when it lies inside one of `roots` (symlinks followed).

    Raises:
        HTTPException: 403 when paths are not accepted or the path leaves the roots; 404 when
            there is no such file inside them.
    """
    if not roots:
        raise HTTPException(403, "posting a path is disabled; start the server with --allowed-root DIR")
    real_roots = [Path(r).resolve() for r in roots]
    candidate = Path(value).expanduser()
    real = (candidate if candidate.is_absolute() else real_roots[0] / candidate).resolve()
    if not any(real.is_relative_to(root) for root in real_roots):
        raise HTTPException(403, f"{value}: outside the allowed root(s)")
    if not real.is_file():
        raise HTTPException(404, f"{value}: no such file under the allowed root(s)")
    return real
