"""Synthetic annotation records and dataset folders (no perception) for export and review tests."""

from __future__ import annotations

from pathlib import Path

from emoreason.annotation.media import safe_name
from emoreason.annotation.records import (
    ANNOTATIONS_NAME,
    AnnotationRecord,
    AnnotationStatus,
    ClueSpan,
    Contradiction,
    LLMCall,
)


def record(clip_id: str, *, status: AnnotationStatus = AnnotationStatus.OK, caption: str | None = None,
           label: str = "happy", media: str | None = None) -> AnnotationRecord:
    """A complete record as `emoreason annotate` writes it."""
    return AnnotationRecord(
        id=clip_id, source_path=f"/clips/{clip_id}.mp4", media=media, status=status, duration=4.0,
        au_list=["AU06", "AU12"], visual_prior_list=["cheek raiser", "lip corner puller (smile)"], peak_index=12,
        peak_time=1.2, peak_au_list=["AU06", "AU12", "AU25"], peak_au_phrases=["cheek raiser", "smile", "lips part"],
        audio_tone="speaks loudly; raises the pitch", transcript=f"I passed the exam ({clip_id})!",
        transcript_source="subtitle_text", pseudo_label="happy", label=label, top_labels=[label, "surprise"],
        emotions=[label, "excited"], coarse_caption="Visual expression: smile. Label: happy.",
        fine_caption=caption if caption is not None else f"In the video, the person in {clip_id} smiles broadly.",
        caption_emotion=label, explanation="The face smiles and the voice is loud, so the person is happy.",
        contradictions=[Contradiction(kind="au-label", detail="x")] if status is AnnotationStatus.FLAGGED else [],
        missing={"scene": "unavailable: no vision endpoint"},
        clues=[ClueSpan(modality="face", start=0.5, end=2.0, description="smiles broadly", strength=0.8),
               ClueSpan(modality="voice", start=1.0, end=3.5, description="speaks loudly", strength=0.6)],
        llm_calls=[LLMCall(step="merr.merge", writer="openai", model="openai:m@http://x", prompt="merr:merge",
                           prompt_hash="0123456789abcdef", raw_output="{}")],
        writer="openai", emoreason_version="test",
    )


def write_dataset(root: Path, records: list[AnnotationRecord], *, with_media: bool = True,
                  media_source: Path | None = None) -> Path:
    """A dataset folder: annotations.jsonl, a clip (`media_source`, else a tiny synthetic one) and a JPEG per record."""
    import cv2
    import numpy as np

    from tests.io.media_factory import synth_video

    root.mkdir(parents=True, exist_ok=True)
    clip = None
    for rec in records:
        if with_media:
            name = safe_name(rec.id)
            clip = clip or media_source or synth_video(root / "synth.mp4", seconds=1.0, fps=10, size=(64, 48))
            (root / "media").mkdir(exist_ok=True)
            (root / "frames").mkdir(exist_ok=True)
            (root / "media" / f"{name}.mp4").write_bytes(clip.read_bytes())
            cv2.imwrite(str(root / "frames" / f"{name}.jpg"), np.full((48, 64, 3), 128, np.uint8))
            rec.media, rec.peak_frame = f"media/{name}.mp4", f"frames/{name}.jpg"
    if clip is not None and media_source is None:
        clip.unlink()
    (root / ANNOTATIONS_NAME).write_text("".join(r.model_dump_json() + "\n" for r in records), encoding="utf-8")
    return root
