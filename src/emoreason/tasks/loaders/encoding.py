"""Repair of mis-decoded text (mojibake) in scraped datasets.

Two faults occur in ECEM: UTF-8 bytes decoded as Windows-1252/Latin-1 (``â€™`` for
``’``) and UTF-8 bytes decoded as GBK (``鈥檓`` for ``’m``, the GBK pair swallowing the
next ASCII letter). Each suspicious run is re-encoded with the wrong codec and decoded
as UTF-8; a run is replaced only when that round trip succeeds and yields no new
suspicious characters. :func:`repair_text` reports whether anything was left broken.
"""

from __future__ import annotations

import re

_LATIN_RUN = re.compile(r"[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                        r"\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
                        r"\u20ac\u2122]{1,3}")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uff00-\uffef]+")
_SUSPICIOUS = re.compile(r"[\u0080-\u009f\u00c2-\u00c3\ufffd]|â€|[\u3400-\u9fff]")


def _cp1252_bytes(text: str) -> bytes | None:
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) < 256:
                out.append(ord(ch))
            else:
                return None
    return bytes(out)


def _fix_latin(match: re.Match[str]) -> str:
    raw = _cp1252_bytes(match.group(0))
    if raw is None:
        return match.group(0)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return match.group(0)


def _fix_gbk(match: re.Match[str]) -> str:
    try:
        fixed = match.group(0).encode("gbk").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return match.group(0)
    return fixed if not _CJK_RUN.search(fixed) else match.group(0)


def repair_text(text: str, *, allow_cjk: bool = False) -> tuple[str, bool, bool]:
    """Repair mojibake in `text`.

    Args:
        text: The possibly broken string.
        allow_cjk: Keep CJK characters (set for Chinese text; GBK repair is then skipped).

    Returns:
        ``(text, changed, still_suspicious)``.
    """
    fixed = _LATIN_RUN.sub(_fix_latin, text)
    if not allow_cjk:
        fixed = _CJK_RUN.sub(_fix_gbk, fixed)
    suspicious = _SUSPICIOUS.search(fixed)
    if allow_cjk and suspicious and "\u3400" <= suspicious.group(0)[0] <= "\u9fff":
        suspicious = None
    return fixed, fixed != text, suspicious is not None
