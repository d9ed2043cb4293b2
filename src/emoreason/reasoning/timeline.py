"""The emotion timeline: the learned decision per speech segment or window of the clip.

Windows are the timed transcript segments when there are any (short neighbours less than
:data:`MAX_GAP` apart merged, so that few windows are under :data:`MIN_WINDOW` seconds),
otherwise the learned face windows. Every learned vote overlapping a window joins that window's
decision, weighted by how much of the vote's span falls inside it. :func:`summarise` turns the
timeline into the sentence the template writer ends on: what dominates and what changes.
"""

from __future__ import annotations

from emoreason.reasoning.decision import Vote, decide, expected_valence, learned_vote, merge_votes
from emoreason.reasoning.protocol import ReasoningRequest
from emoreason.records import TimelineEntry, Transcript

MIN_WINDOW = 1.5
#: Segments further apart than this are never merged.
MAX_GAP = 1.0


def _speech_windows(transcript: Transcript | None) -> list[tuple[float, float, str]]:
    if transcript is None or not transcript.is_timed:
        return []
    out: list[list] = []
    for seg in transcript.segments:
        if not seg.text.strip() or seg.start is None or seg.end is None or seg.end <= seg.start:
            continue
        close = bool(out) and seg.start - out[-1][1] <= MAX_GAP
        if close and (out[-1][1] - out[-1][0] < MIN_WINDOW or seg.end - seg.start < MIN_WINDOW / 2):
            out[-1][1] = max(out[-1][1], seg.end)
            out[-1][2] += " " + seg.text.strip()
        else:
            out.append([seg.start, seg.end, seg.text.strip()])
    return [(a, b, t) for a, b, t in out]


def _overlap(vote: Vote, start: float, end: float) -> float:
    span = max(vote.end - vote.start, 1e-3)
    inside = min(vote.end, end) - max(vote.start, start)
    if vote.end - vote.start < 1e-3:  # an instant counts when it falls inside
        return 1.0 if start <= vote.start <= end else 0.0
    return max(inside, 0.0) / span


def build_timeline(request: ReasoningRequest) -> list[TimelineEntry]:
    """Per-window decisions over the clip (empty when no learned head left clues)."""
    votes = [v for v in (learned_vote(c) for c in request.clues) if v is not None]
    if not votes:
        return []
    windows = _speech_windows(request.transcript)
    if not windows:
        spans = sorted({(v.start, v.end) for v in votes if v.source.startswith("face")})
        windows = [(a, b, "") for a, b in spans] or [(0.0, request.media.duration, "")]
    entries = []
    for start, end, text in windows:
        inside = []
        for vote in votes:
            share = _overlap(vote, start, end)
            if share > 0.2:
                inside.append(Vote(vote.source, vote.modality, vote.probs, vote.reliability * min(share, 1.0),
                                   max(vote.start, start), min(vote.end, end), vote.clue_ids))
        if not inside:
            continue
        decision = decide(merge_votes(inside))
        probs = {p.label: p.score for p in decision.probabilities}
        entries.append(TimelineEntry(
            start=round(start, 2), end=round(max(end, start), 2), label=decision.label,
            emotions=decision.probabilities[:3], valence=round(expected_valence(probs), 3),
            modalities=sorted({v.modality for v in inside}), text=text or None,
        ))
    return entries


def summarise(timeline: list[TimelineEntry]) -> str | None:
    """'Over time: sad 0.0–6.0 s, then happy 6.0–19.6 s; happy dominates (70 % of the time).'"""
    if len(timeline) < 2:
        return None
    runs: list[list] = []
    for entry in timeline:
        if runs and runs[-1][0] == entry.label:
            runs[-1][2] = entry.end
        else:
            runs.append([entry.label, entry.start, entry.end])
    time_by_label: dict[str, float] = {}
    for label, a, b in runs:
        time_by_label[label] = time_by_label.get(label, 0.0) + (b - a)
    total = sum(time_by_label.values()) or 1.0
    dominant = max(time_by_label, key=lambda k: time_by_label[k])
    share = 100 * time_by_label[dominant] / total
    if len(runs) == 1:
        return f"Over time, {dominant} holds throughout ({runs[0][1]:.1f}–{runs[0][2]:.1f} s)."
    steps = ", then ".join(f"{label} {a:.1f}–{b:.1f} s" for label, a, b in runs[:6])
    more = f" and {len(runs) - 6} more changes" if len(runs) > 6 else ""
    return f"Over time: {steps}{more}; {dominant} dominates ({share:.0f} % of the time)."
