"""The self-contained HTML report: inline CSS, inline SVG, base64 thumbnails; no script, no CDN."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from html import escape

from emoreason.batch.records import ClipRecord, ClipStatus
from emoreason.records import ExplainResult
from emoreason.render import emotions_line, fmt_span, fmt_time, modality_notes
from emoreason.report.svg import MODALITY_COLOURS, bar_chart_svg, colour, timeline_svg

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
main{max-width:1000px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:0 0 6px}h3{font-size:15px;margin:18px 0 6px}
section{background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002;padding:18px 22px;margin:18px 0}
.muted{color:#667}.meta{color:#667;font-size:13px;margin:0 0 12px}
.top{display:flex;gap:20px;align-items:flex-start;flex-wrap:wrap}
figure{margin:0;max-width:360px}figure img{width:300px;max-width:360px;height:auto;border-radius:6px;display:block}
figcaption{font-size:12px;color:#667;margin-top:4px}
.chips span{display:inline-block;border-radius:12px;padding:2px 10px;margin:2px 4px 2px 0;color:#fff;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e3e6ea;vertical-align:top}
td:first-child{white-space:nowrap}th{background:#f1f3f5}td.num{text-align:right;font-variant-numeric:tabular-nums}
.mod{font-weight:600}.error{color:#b3261e}.explanation{line-height:1.5;max-width:560px}
.notes li{font-size:13px;color:#667}svg text{font-family:system-ui,sans-serif;fill:#333}
a{color:#1a5fb4}.legend span{font-size:11px;padding:1px 8px}
"""


def anchor(clip_id: str) -> str:
    """The HTML id of a clip's section."""
    return "clip-" + re.sub(r"[^A-Za-z0-9_-]+", "-", clip_id).strip("-")


def render_report(records: Sequence[ClipRecord], thumbnails: dict[str, tuple[str | None, str]], *,
                  title: str, batch: bool) -> str:
    """The whole page; `thumbnails` maps clip id → (data URI or None, caption)."""
    body = [f"<h1>{escape(title)}</h1>"]
    if batch:
        body.append(_overview(records))
    body += [_clip_section(r, thumbnails.get(r.id, (None, ""))) for r in records]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{''.join(body)}</main></body></html>\n"
    )


def _overview(records: Sequence[ClipRecord]) -> str:
    ok = [r for r in records if r.status == ClipStatus.OK and r.result is not None]
    errors = len(records) - len(ok)
    counts = Counter(_top(r.result) for r in ok)
    family = {_top(r.result): _family(r.result) for r in ok}
    chart = bar_chart_svg([(label, n, family[label]) for label, n in counts.most_common()])
    rows = "".join(
        f'<tr><td><a href="#{anchor(r.id)}">{escape(r.id)}</a></td><td class="{r.status.value}">'
        f"{r.status.value}</td><td>{escape(_top(r.result)) if r.result else ''}</td>"
        f'<td class="num">{_score(r.result)}</td><td class="num">{_duration(r.result)}</td>'
        f"<td>{escape(r.error or '')}</td></tr>"
        for r in records
    )
    return (
        f'<section id="overview"><h2>Batch overview</h2><p class="meta">{len(records)} clips: '
        f"{len(ok)} explained, {errors} error(s)</p><h3>Label distribution (top label per clip)</h3>{chart}"
        "<h3>Clips</h3><table><tr><th>clip</th><th>status</th><th>top label</th><th>score</th>"
        f"<th>duration</th><th>error</th></tr>{rows}</table></section>"
    )


def _top(result: ExplainResult | None) -> str:
    return result.emotions[0].label if result is not None and result.emotions else "(none)"


def _family(result: ExplainResult | None) -> str:
    if result is None or not result.emotions:
        return "neutral"
    return result.emotions[0].family or result.emotions[0].label


def _score(result: ExplainResult | None) -> str:
    return f"{result.emotions[0].score:.2f}" if result is not None and result.emotions else ""


def _duration(result: ExplainResult | None) -> str:
    return f"{result.media.duration:.1f} s" if result is not None else ""


def _clip_section(record: ClipRecord, thumbnail: tuple[str | None, str]) -> str:
    head = f'<section id="{anchor(record.id)}"><h2>{escape(record.id)}</h2>'
    result = record.result
    if record.status != ClipStatus.OK or result is None:
        error = escape(record.error or "")
        return head + f'<p class="meta">{escape(record.path)}</p><p class="error">{error}</p></section>'
    meta = f"{escape(result.media.path)} · {result.media.duration:.1f} s · emoreason {escape(result.emoreason_version)}"
    uri, caption = thumbnail
    figure = (f'<figure><img src="{uri}" alt="peak frame of {escape(record.id)}"><figcaption>{escape(caption)}'
              "</figcaption></figure>" if uri else f'<figure><figcaption>{escape(caption)}</figcaption></figure>')
    chips = "".join(
        f'<span style="background:{colour(e.family or e.label)}">{escape(e.label)} {e.score:.2f}</span>'
        for e in result.emotions[:6]
    )
    explanation = escape(result.explanation.text) if result.explanation is not None else "<i>no explanation</i>"
    parts = [
        head, f'<p class="meta">{meta}</p><div class="top">{figure}<div>',
        f'<div class="chips">{chips or "<i>no emotion found</i>"}</div>',
        f'<p class="meta">{escape(emotions_line(result))}</p><p class="explanation">{explanation}</p></div></div>',
        "<h3>Timeline</h3>", timeline_svg(result), _clue_table(result), _transcript(result), _notes(result),
        "</section>",
    ]
    return "".join(parts)


def _clue_table(result: ExplainResult) -> str:
    if not result.clues:
        return "<h3>Clues</h3><p class='muted'>No clue was found.</p>"
    rows = "".join(
        f'<tr><td>{fmt_span(c)}</td><td class="mod" style="color:{MODALITY_COLOURS.get(c.modality.value, "#333")}">'
        f'{c.modality.value}</td><td class="num">{c.strength:.2f}</td><td>{escape(c.description)}</td></tr>'
        for c in result.clues
    )
    return ("<h3>Clues</h3><table><tr><th>time</th><th>modality</th><th>strength</th><th>clue</th></tr>"
            f"{rows}</table>")


def _transcript(result: ExplainResult) -> str:
    transcript = result.transcript
    if transcript is None or not transcript.segments:
        return "<h3>Transcript</h3><p class='muted'>No words (no subtitles given, no speech transcribed).</p>"
    rows = "".join(
        f"<tr><td>{_seg_time(s.start, s.end)}</td><td>{escape(s.text)}</td></tr>" for s in transcript.segments
    )
    source = f"{transcript.source.value}" + (f", {transcript.language}" if transcript.language else "")
    return f"<h3>Transcript <span class='muted'>({escape(source)})</span></h3><table>{rows}</table>"


def _seg_time(start: float | None, end: float | None) -> str:
    if start is None or end is None:
        return ""
    return f"{fmt_time(start)}–{fmt_time(end)}"


def _notes(result: ExplainResult) -> str:
    notes = modality_notes(result) + [f"warning: {w}" for w in result.warnings]
    if not notes:
        return ""
    return "<h3>Not read</h3><ul class='notes'>" + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>"
