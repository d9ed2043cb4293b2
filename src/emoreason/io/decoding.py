"""Decode one stream packet by packet, so that a damaged packet costs that packet, not the whole file.

``on_error`` decides what a decoding error does:

- ``"raise"``: raise :class:`~emoreason.errors.MediaError` naming the time (the default);
- ``"stop"``: keep what decoded before it and stop there;
- ``"skip"``: skip the undecodable packet and go on (giving up after :data:`MAX_BAD_PACKETS`).

With ``stop`` or ``skip``, one line saying what was lost and where goes to ``report`` (and
the log), so that a stage can put it in the result's warnings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

import av

from emoreason.errors import MediaError

log = logging.getLogger(__name__)

OnError = Literal["raise", "stop", "skip"]
#: Undecodable packets skipped before decoding gives up (``on_error="skip"``).
MAX_BAD_PACKETS = 50


def _reason(exc: av.error.FFmpegError) -> str:
    return (getattr(exc, "strerror", None) or type(exc).__name__).split(":")[0].strip()


class DecodeProblems:
    """The decoding errors of one stream, and the one line that reports them."""

    def __init__(self, path: Path, kind: str, on_error: OnError, report: Callable[[str], None] | None) -> None:
        if on_error not in ("raise", "stop", "skip"):
            raise ValueError(f"on_error must be 'raise', 'stop' or 'skip', got {on_error!r}")
        self.path, self.kind, self.on_error, self.report = path, kind, on_error, report
        self.skipped = 0
        self.first: tuple[float, str] | None = None
        self.stopped_at: float | None = None

    def failed(self, exc: av.error.FFmpegError, at: float, *, decoded: int, fatal: bool = False) -> bool:
        """Record an error at `at` seconds; True to go on with the next packet.

        Raises:
            MediaError: ``on_error="raise"``, or nothing had been decoded when ``stop`` applies.
        """
        reason = _reason(exc)
        if self.on_error == "raise" or (self.on_error == "stop" and decoded == 0):
            raise MediaError(self.path, f"{self.kind} decoding failed near {at:.2f} s ({reason})") from exc
        self.first = self.first or (at, reason)
        if fatal or self.on_error == "stop" or self.skipped >= MAX_BAD_PACKETS:
            self.stopped_at = at
            return False
        self.skipped += 1
        return True

    def message(self) -> str | None:
        """What was lost, in one line (None when nothing was)."""
        if self.first is None:
            return None
        at, reason = self.first
        text = f"{self.kind} decoding failed near {at:.2f} s ({reason})"
        if self.skipped:
            text += f"; {self.skipped} undecodable packet{'s' if self.skipped > 1 else ''} skipped"
        if self.stopped_at is not None:
            text += f"; decoding stopped near {self.stopped_at:.2f} s, analysed up to there"
        return text

    def finish(self) -> None:
        """Send the summary line to ``report`` and the log."""
        text = self.message()
        if text is None:
            return
        log.warning("%s: %s", self.path, text)
        if self.report is not None:
            self.report(text)


def decode_stream(
    container: av.container.InputContainer,
    stream: av.stream.Stream,
    problems: DecodeProblems,
    now: Callable[[], float],
) -> Iterator[av.frame.Frame]:
    """Yield the decoded frames of `stream`; errors go to `problems` (`now()`: time reached so far)."""
    packets = container.demux(stream)
    decoded = 0
    try:
        while True:
            try:
                packet = next(packets)
            except StopIteration:
                break
            except av.error.FFmpegError as exc:  # reading the file failed: nothing after it is reachable
                problems.failed(exc, now(), decoded=decoded, fatal=True)
                break
            try:
                frames = packet.decode()
            except av.error.FFmpegError as exc:
                at = float(packet.pts * packet.time_base) if packet.pts is not None and packet.time_base else now()
                if not problems.failed(exc, at, decoded=decoded):
                    break
                continue
            for frame in frames:
                decoded += 1
                yield frame
    finally:
        problems.finish()
    if decoded == 0 and problems.first is not None:
        at, reason = problems.first
        raise MediaError(problems.path, f"{problems.kind} stream cannot be decoded (near {at:.2f} s: {reason})")
