"""Inline SVG charts drawn by hand (no plotting library, no script): timelines and label counts."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from html import escape
from typing import Any

from emoreason.records import Clue, ExplainResult

#: Colours of the emotion families / decision classes, and of the modalities.
FAMILY_COLOURS = {
    "neutral": "#9e9e9e", "happy": "#f2b134", "sad": "#3f73b8", "angry": "#d1423f", "worried": "#8e5bb5",
    "surprise": "#3fb5a8", "disgust": "#6c8f2f", "fear": "#8e5bb5",
}
MODALITY_COLOURS = {"face": "#e07b39", "voice": "#2f8fcf", "text": "#4caf50", "scene": "#7d6bb3", "body": "#b05c8a"}
MODALITY_ORDER = ("face", "voice", "text", "scene", "body")

WIDTH, LEFT, RIGHT, LANE, AXIS = 760, 86, 12, 44, 24


def colour(name: str, table: dict[str, str] = FAMILY_COLOURS) -> str:
    """The table's colour for `name`, else a stable colour derived from the name."""
    if name in table:
        return table[name]
    hue = int(hashlib.sha1(name.encode()).hexdigest()[:4], 16) % 360
    return f"hsl({hue},55%,50%)"


def _nice_step(span: float) -> float:
    for step in (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600):
        if span / step <= 10:
            return float(step)
    return 1200.0


def _axis(duration: float, y: float, x_of: Any) -> list[str]:
    step = _nice_step(duration)
    parts = [f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="#555"/>']
    t = 0.0
    while t <= duration + 1e-9:
        x = x_of(t)
        parts.append(f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + 4}" stroke="#555"/>')
        parts.append(f'<text x="{x:.1f}" y="{y + 16}" font-size="11" text-anchor="middle">{t:g} s</text>')
        t += step
    return parts


def _clue_rect(clue: Clue, top: float, x_of: Any, fill: str) -> str:
    x0, x1 = x_of(clue.start), x_of(max(clue.end, clue.start))
    height = max(2.0, clue.strength * (LANE - 10))
    tip = f"{clue.description} ({clue.start:.1f}–{clue.end:.1f} s, strength {clue.strength:.2f})"
    return (f'<rect x="{x0:.1f}" y="{top + LANE - 4 - height:.1f}" width="{max(2.0, x1 - x0):.1f}" '
            f'height="{height:.1f}" fill="{fill}" fill-opacity="0.06" stroke="none">'
            f"<title>{escape(tip)}</title></rect>")


def strength_envelope(clues: Sequence[Clue], min_width: float) -> list[tuple[float, float, float]]:
    """(start, end, strongest clue active) over the breakpoints of `clues` (instant clues get `min_width`)."""
    spans = [(c.start, max(c.end, c.start + min_width), c.strength) for c in clues]
    edges = sorted({t for s, e, _ in spans for t in (s, e)})
    steps = []
    for a, b in zip(edges, edges[1:], strict=False):
        mid = (a + b) / 2
        level = max((v for s, e, v in spans if s <= mid <= e), default=0.0)
        if steps and steps[-1][2] == level and steps[-1][1] == a:
            steps[-1] = (steps[-1][0], b, level)
        else:
            steps.append((a, b, level))
    return steps


def _envelope_path(clues: Sequence[Clue], top: float, x_of: Any, duration: float, fill: str) -> str:
    """A filled step plot of the strongest clue over time in one lane."""
    base = top + LANE - 4
    points = [f"M{x_of(0):.1f},{base:.1f}"]
    for start, end, level in strength_envelope(clues, duration / 150):
        y = base - level * (LANE - 10)
        points += [f"L{x_of(start):.1f},{base:.1f}", f"L{x_of(start):.1f},{y:.1f}", f"L{x_of(end):.1f},{y:.1f}",
                   f"L{x_of(end):.1f},{base:.1f}"]
    points.append(f"L{x_of(duration):.1f},{base:.1f}Z")
    return f'<path d="{" ".join(points)}" fill="{fill}" fill-opacity="0.45" stroke="{fill}" stroke-width="1.2"/>'


def _entry_bars(entry: Any, top: float, x_of: Any) -> list[str]:
    """One timeline window: its emotions stacked by probability, its label written inside."""
    x0, x1 = x_of(entry.start), x_of(max(entry.end, entry.start))
    width = max(2.0, x1 - x0)
    emotions = list(getattr(entry, "emotions", []) or []) or [_Prob(entry.label, 1.0)]
    total = sum(e.score for e in emotions) or 1.0
    parts, y = [], top + 2
    for emo in emotions:
        h = (LANE - 4) * emo.score / total
        tip = f"{entry.start:.1f}–{entry.end:.1f} s: {emo.label} {emo.score:.2f}"
        parts.append(f'<rect x="{x0:.1f}" y="{y:.1f}" width="{width:.1f}" height="{h:.1f}" '
                     f'fill="{colour(emo.label)}" stroke="#fff" stroke-width="0.5"><title>{escape(tip)}</title></rect>')
        y += h
    if width > 8 * len(entry.label) + 6:
        parts.append(f'<text x="{x0 + 4:.1f}" y="{top + LANE / 2 + 4:.1f}" font-size="11" fill="#111">'
                     f"{escape(entry.label)}</text>")
    return parts


class _Prob:
    def __init__(self, label: str, score: float) -> None:
        self.label, self.score = label, score


def timeline_svg(result: ExplainResult) -> str:
    """Per-modality lanes of clue strengths over time, under an emotion lane when the result has a timeline."""
    clues = result.clues
    timeline = list(getattr(result, "timeline", None) or [])
    duration = max([result.media.duration or 0.0, *(c.end for c in clues), *(e.end for e in timeline)]) or 1.0
    modalities = [m for m in MODALITY_ORDER if any(c.modality.value == m for c in clues)]
    lanes = (["emotions"] if timeline else []) + modalities
    if not lanes:
        return '<p class="muted">No clue in any modality to draw.</p>'

    def x_of(t: float) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * min(max(t, 0.0), duration) / duration

    height = len(lanes) * LANE + AXIS + 6
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" role="img" aria-label="emotion timeline">']
    for i, lane in enumerate(lanes):
        top = i * LANE
        parts.append(f'<rect x="{LEFT}" y="{top + 1}" width="{WIDTH - LEFT - RIGHT}" height="{LANE - 2}" '
                     f'fill="{"#fafafa" if i % 2 else "#f1f3f5"}"/>')
        parts.append(f'<text x="{LEFT - 8}" y="{top + LANE / 2 + 4}" font-size="12" text-anchor="end" '
                     f'fill="{MODALITY_COLOURS.get(lane, "#333")}">{lane}</text>')
        if lane == "emotions":
            for entry in timeline:
                parts += _entry_bars(entry, top, x_of)
        else:
            fill = colour(lane, MODALITY_COLOURS)
            lane_clues = [c for c in clues if c.modality.value == lane]
            parts.append(_envelope_path(lane_clues, top, x_of, duration, fill))
            parts += [_clue_rect(c, top, x_of, fill) for c in lane_clues]
    peak = result.face.peak if result.face is not None else None
    if peak is not None:
        x = x_of(peak.time)
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{len(lanes) * LANE}" stroke="#c2185b" '
                     f'stroke-dasharray="4 3"><title>peak frame {peak.time:.1f} s</title></line>')
    parts += _axis(duration, len(lanes) * LANE + 2, x_of)
    parts.append("</svg>")
    return "".join(parts) + (_legend(timeline) if timeline else "")


def _legend(timeline: Sequence[Any]) -> str:
    labels = list(dict.fromkeys(e.label for entry in timeline for e in (getattr(entry, "emotions", None) or [entry])))
    items = "".join(f'<span style="background:{colour(label)}">{escape(label)}</span>' for label in labels)
    return f'<div class="chips legend">{items}</div>'


def bar_chart_svg(counts: Sequence[tuple[str, int, str]], *, width: int = 520) -> str:
    """Horizontal bars of (label, count, colour key) (the label distribution of a batch)."""
    if not counts:
        return '<p class="muted">No clip was explained.</p>'
    row, left = 22, 130
    most = max(n for _, n, _ in counts) or 1
    height = row * len(counts) + 6
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-label="label distribution">']
    for i, (label, n, key) in enumerate(counts):
        y = i * row + 3
        w = (width - left - 50) * n / most
        parts.append(f'<text x="{left - 8}" y="{y + 14}" font-size="12" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{row - 6}" fill="{colour(key)}"/>')
        parts.append(f'<text x="{left + w + 6:.1f}" y="{y + 14}" font-size="12">{n}</text>')
    parts.append("</svg>")
    return "".join(parts)
