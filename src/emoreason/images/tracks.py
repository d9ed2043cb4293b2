"""Every tracked person of a video, not only the main face (``explain --all-people``).

The face stage clues only the main track; here each track of the face table gets the same
clue builder (:func:`emoreason.perception.face.clues.build_clues`) and its own fusion, so each
person's emotions rest on that person's face alone. The same per-person reading serves
still images (:mod:`emoreason.images.people`).
"""

from __future__ import annotations

import pandas as pd

from emoreason.records import Clue, FaceSummary, MediaInfo, Modality, ModalityReport, PersonEmotions, StageStatus

#: Geometric AUs a broad smile drives (the mouth widens, raised cheeks push the brows down); on a
#: short track or a single picture there is no neutral frame to tell them apart from the smile.
SMILE_SIDE_TAGS = frozenset({"lip_stretch", "frown"})


def drop_smile_parts(clues: list[Clue], happiness: float) -> list[Clue]:
    """`clues` without lip-stretch/brow-lowering clues when the face smiles broadly.

    Broadly: a smile clue at ≥ 3 of 5 (strength 0.6), or a smile with the expression model's
    mean happiness ≥ 0.8. The peak-frame clue keeps its text but loses those two tags.
    """
    smiles = [c for c in clues if "smile" in c.tags and "peak_frame" not in c.tags]
    if not smiles or (max(c.strength for c in smiles) < 0.6 and happiness < 0.8):
        return clues
    kept = [c for c in clues if not set(c.tags) <= SMILE_SIDE_TAGS]
    return [c.model_copy(update={"tags": [t for t in c.tags if t not in SMILE_SIDE_TAGS]})
            if "peak_frame" in c.tags else c for c in kept]


def describe_people(table: pd.DataFrame | None, face: FaceSummary | None, media: MediaInfo,
                    *, top: int = 5) -> list[PersonEmotions]:
    """One :class:`PersonEmotions` per face track, main face first, then by screen time."""
    from emoreason.perception.face.clues import build_clues
    from emoreason.reasoning.fusion import fuse
    from emoreason.reasoning.protocol import ReasoningRequest

    if table is None or face is None or not face.tracks:
        return []
    clip_end = media.duration or float(table["timestamp"].max())
    out = []
    for track in sorted(face.tracks, key=lambda t: (not t.is_main, -t.n_frames)):
        peak = face.peak if face.peak is not None and face.peak.face_id == track.face_id else None
        clues = drop_smile_parts(build_clues(table, track.face_id, clip_end=clip_end, peak=peak),
                                 track.expression.get("happiness", 0.0))
        report = ModalityReport(modality=Modality.FACE, status=StageStatus.OK, clues=clues)
        fused = fuse(ReasoningRequest(media=media, modalities=[report]))
        strongest = sorted(clues, key=lambda c: -c.strength)[:3]
        out.append(PersonEmotions(
            face_id=track.face_id, is_main=track.is_main, start=track.start, end=track.end, n_frames=track.n_frames,
            emotions=fused.emotions[:top], valence=fused.valence, arousal=fused.arousal,
            clues=[c.description for c in strongest],
        ))
    return out


def people_lines(people: list[PersonEmotions]) -> list[str]:
    """'face 2 (main, 0.0-19.6 s): happy 0.98, pleased 0.80 (valence +0.70) — smiles broadly …'."""
    lines = []
    for p in people:
        feel = ", ".join(f"{e.label} {e.score:.2f}" for e in p.emotions[:3]) or "undetermined"
        val = f" (valence {p.valence:+.2f})" if p.valence is not None else ""
        main = "main, " if p.is_main else ""
        lines.append(f"face {p.face_id} ({main}{p.start:.1f}-{p.end:.1f} s): {feel}{val} — {'; '.join(p.clues)}")
    return lines
