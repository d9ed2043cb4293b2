"""Human-readable renderings of an :class:`ExplainResult` (plain text and Markdown)."""

from __future__ import annotations

from emoreason.records import Clue, ExplainResult, StageStatus
from emoreason.records.decision import LEARNED_TAG


def fmt_time(seconds: float) -> str:
    """Format seconds as `m:ss.s`."""
    minutes, sec = divmod(max(0.0, seconds), 60.0)
    return f"{int(minutes)}:{sec:04.1f}"


def fmt_span(clue: Clue) -> str:
    """A clue's time span as `m:ss.s–m:ss.s`."""
    return f"{fmt_time(clue.start)}–{fmt_time(clue.end)}"


def emotions_line(result: ExplainResult, top: int = 5) -> str:
    """'happy 0.61, surprise 0.22' for the top emotions, plus valence/arousal."""
    parts = [f"{e.label} {e.score:.2f}" for e in result.emotions[:top]]
    line = ", ".join(parts) if parts else "undetermined"
    if result.valence is not None:
        line += f" (valence {result.valence:+.2f}"
        line += f", arousal {result.arousal:+.2f})" if result.arousal is not None else ")"
    return line


def observed_clues(result: ExplainResult) -> list[Clue]:
    """The clues that are observations (learned heads' readings show in the decision and timeline)."""
    return [c for c in result.clues if LEARNED_TAG not in c.tags]


def decision_line(result: ExplainResult) -> str | None:
    """'happy p=0.45, margin 0.20; driven by face — face-au-head 0.60, text-head 0.40' (None without one)."""
    decision = result.decision
    if decision is None or not decision.votes:
        return None
    top = decision.probabilities[0]
    votes = ", ".join(f"{v.source} {v.share:.2f}" for v in sorted(decision.votes, key=lambda v: -v.share))
    return f"{top.label} p={top.score:.2f}, margin {decision.margin:.2f}; driven by {decision.driver} — {votes}"


def timeline_lines(result: ExplainResult) -> list[str]:
    """One line per timeline entry: span, top classes, valence, modalities, words."""
    out = []
    for e in result.timeline:
        top = ", ".join(f"{p.label} {p.score:.2f}" for p in e.emotions[:3])
        valence = f" (valence {e.valence:+.2f})" if e.valence is not None else ""
        words = f' "{e.text}"' if e.text else ""
        out.append(f"{fmt_time(e.start)}–{fmt_time(e.end)}  {top}{valence} [{'+'.join(e.modalities)}]{words}")
    return out


def modality_notes(result: ExplainResult) -> list[str]:
    """One line per modality that could not be read, saying why."""
    return [
        f"{m.modality.value}: {m.status.value} — {m.message}"
        for m in result.modalities if m.status != StageStatus.OK
    ]


def to_text(result: ExplainResult) -> str:
    """Plain-text rendering: explanation, emotions, decision, timeline, observed clues, unread modalities."""
    lines = [f"{result.media.path} ({result.media.duration:.1f} s)", ""]
    if result.explanation is not None:
        lines += [result.explanation.text, ""]
    lines.append(f"Emotions: {emotions_line(result)}")
    if decided := decision_line(result):
        lines.append(f"Decision: {decided}")
    if result.timeline:
        lines += ["", "Timeline:", *[f"  {line}" for line in timeline_lines(result)]]
    if observed_clues(result):
        lines += ["", "Clues:"]
        lines += [
            f"  {fmt_span(c):>15}  {c.modality.value:<6} {c.strength:.2f}  {c.description}"
            for c in observed_clues(result)
        ]
    if result.people:
        from emoreason.images.tracks import people_lines

        lines += ["", "People:", *[f"  {line}" for line in people_lines(result.people)]]
    notes = modality_notes(result)
    if notes:
        lines += ["", "Not read:", *[f"  {n}" for n in notes]]
    if result.warnings:
        lines += ["", "Warnings:", *[f"  {w}" for w in result.warnings]]
    return "\n".join(lines) + "\n"


def to_markdown(result: ExplainResult) -> str:
    """Markdown rendering with a clue table."""
    name = result.media.path.rsplit("/", 1)[-1]
    out = [f"# {name}", "", f"*{result.media.duration:.1f} s, emoreason {result.emoreason_version}*", ""]
    if result.explanation is not None:
        out += [result.explanation.text, ""]
    out += [f"**Emotions:** {emotions_line(result)}", ""]
    if decided := decision_line(result):
        out += [f"**Decision:** {decided}", ""]
    if result.timeline:
        out += ["**Timeline:**", "", *[f"- {line}" for line in timeline_lines(result)], ""]
    if observed_clues(result):
        out += ["| time | modality | strength | clue |", "|---|---|---|---|"]
        out += [
            f"| {fmt_span(c)} | {c.modality.value} | {c.strength:.2f} | {c.description} |"
            for c in observed_clues(result)
        ]
        out.append("")
    notes = modality_notes(result)
    if notes:
        out += ["**Not read:**", "", *[f"- {n}" for n in notes], ""]
    if result.warnings:
        out += ["**Warnings:**", "", *[f"- {w}" for w in result.warnings], ""]
    return "\n".join(out)
