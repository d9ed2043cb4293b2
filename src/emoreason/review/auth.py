"""Who is asking: annotator tokens, login sessions and CSRF tokens of the review page.

A tokens file holds one ``name:token`` per line (``#`` comments and blank lines ignored). A
request is authenticated by ``Authorization: Bearer TOKEN`` or by the session cookie that the
login form sets (random, HttpOnly, SameSite=Strict, kept in memory: a restart logs everyone out).
Writes made with the cookie must carry the session's CSRF token in the form (an HMAC of the
session id with a per-process secret); bearer requests need none, since a browser never adds that
header to a cross-site request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from emoreason.errors import EmoreasonError

COOKIE = "emoreason_review"
MIN_TOKEN_LENGTH = 8


class ReviewError(EmoreasonError):
    """The review page cannot start as configured (tokens file, dataset folder)."""


def load_tokens(path: str | Path) -> dict[str, str]:
    """token → annotator name from a ``name:token`` file.

    Raises:
        ReviewError: the file is missing or a line is malformed, short, or repeats a token or name.
    """
    src = Path(path)
    try:
        lines = src.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ReviewError(f"{src}: cannot read the tokens file ({exc})") from exc
    tokens: dict[str, str] = {}
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, token = (part.strip() for part in line.partition(":"))
        if not sep or not name or not token:
            raise ReviewError(f"{src}: line {number} is not 'name:token'")
        if len(token) < MIN_TOKEN_LENGTH:
            raise ReviewError(f"{src}: line {number}: the token of {name!r} is shorter than {MIN_TOKEN_LENGTH} "
                              "characters")
        if token in tokens or name in tokens.values():
            raise ReviewError(f"{src}: line {number}: annotator {name!r} or its token appears twice")
        tokens[token] = name
    if not tokens:
        raise ReviewError(f"{src}: no 'name:token' lines")
    return tokens


@dataclass
class Identity:
    """An authenticated annotator and how they proved it."""

    name: str
    via: str  # "bearer" or "cookie"
    session: str | None = None


class Authenticator:
    """Checks tokens and sessions; issues sessions and CSRF tokens."""

    def __init__(self, tokens: dict[str, str]) -> None:
        self._tokens = dict(tokens)
        self._sessions: dict[str, str] = {}
        self._lock = threading.Lock()
        self._secret = secrets.token_bytes(32)

    def by_token(self, token: str) -> str | None:
        """The annotator owning `token` (constant-time comparison), else None."""
        found = None
        for known, name in self._tokens.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                found = name
        return found

    def identify(self, authorization: str | None, cookie: str | None) -> Identity | None:
        """The caller, from the bearer header first, then the session cookie."""
        if authorization:
            scheme, _, value = authorization.partition(" ")
            name = self.by_token(value.strip()) if scheme.lower() == "bearer" else None
            return Identity(name, "bearer") if name else None
        if cookie:
            with self._lock:
                name = self._sessions.get(cookie)
            return Identity(name, "cookie", cookie) if name else None
        return None

    def login(self, token: str) -> str | None:
        """A new session id for a valid token, else None."""
        name = self.by_token(token)
        if name is None:
            return None
        session = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[session] = name
        return session

    def logout(self, session: str) -> None:
        """Forget a session."""
        with self._lock:
            self._sessions.pop(session, None)

    def csrf_token(self, identity: Identity) -> str:
        """The CSRF token to embed in forms for this caller."""
        key = identity.session or f"bearer:{identity.name}"
        return hmac.new(self._secret, key.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, identity: Identity, given: str | None) -> bool:
        """Whether a write may proceed: bearer callers always, cookie callers with the right token."""
        if identity.via == "bearer":
            return True
        return bool(given) and hmac.compare_digest(self.csrf_token(identity), given or "")
