"""Checking that a server can listen on ``--host``/``--port`` before it starts (one clear line if not)."""

from __future__ import annotations

import socket

from emoreason.errors import EmoreasonError


class ListenError(EmoreasonError):
    """The server cannot listen on the given host and port (the message names both options)."""


def check_listen(host: str, port: int) -> None:
    """Bind `host`:`port` once and release it, so that a bad host or a port in use fails before start-up.

    Raises:
        ListenError: the host does not resolve, or the address cannot be bound (in use, not ours, no permission).
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise ListenError(f"--host {host}: not an address this machine can listen on ({exc})") from exc
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind(address)
        except OSError as exc:
            raise ListenError(f"--host {host} --port {port}: cannot listen there ({exc.strerror or exc})") from exc
