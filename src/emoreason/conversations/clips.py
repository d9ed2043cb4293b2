"""Utterance clips: finding each utterance's clip in a folder, or cutting one video at the subtitle times.

Clip names tried for utterance ``u`` of conversation ``c`` in ``--clips DIR``: the row's own
``clip``/``video_name``, then ``dia{c}utt{u}`` (SemEval-2024 ECAC) and ``dia{c}_utt{u}`` (MELD),
each with the usual video/audio suffixes. Cutting decodes the source with PyAV (as
:mod:`emoreason.io` does) and re-encodes each utterance's span to H.264 + AAC, so every clip starts
on its first frame.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from emoreason.conversations.records import Dialogue, Utterance
from emoreason.errors import MediaError

SUFFIXES = (".mp4", ".mkv", ".avi", ".mov", ".webm", ".wav", ".mp3")


def find_clip(utterance: Utterance, conversation_id: str, clips_dir: Path | None) -> tuple[Path | None, list[str]]:
    """The clip file of `utterance` and the names tried (for the 'missing clip' note)."""
    names: list[Path] = []
    if utterance.clip:
        given = Path(utterance.clip)
        names.append(given if given.is_absolute() or clips_dir is None else clips_dir / given)
    if clips_dir is not None:
        uid = utterance.utterance_id
        for stem in (f"dia{conversation_id}utt{uid}", f"dia{conversation_id}_utt{uid}"):
            names += [clips_dir / f"{stem}{suffix}" for suffix in SUFFIXES]
    for path in names:
        if path.is_file():
            return path, [p.name for p in names]
    return None, [p.name for p in names[:3]]


def _encode_span(source: Path, start: float, end: float, out: Path) -> Path:
    import av

    with av.open(str(source)) as inp:
        vin = next(iter(inp.streams.video), None)
        ain = next(iter(inp.streams.audio), None)
        with av.open(str(out), "w") as dst:
            vout = aout = None
            if vin is not None:
                rate = vin.average_rate or Fraction(25, 1)
                vout = dst.add_stream("libx264", rate=rate)
                vout.codec_context.time_base = Fraction(1, 1) / rate
                vout.width, vout.height, vout.pix_fmt = vin.codec_context.width, vin.codec_context.height, "yuv420p"
                vout.options = {"preset": "ultrafast"}
            if ain is not None:
                aout = dst.add_stream("aac", rate=ain.codec_context.sample_rate or 44100)
            inp.seek(max(0, int((start - 1.0) / 1e-6)), any_frame=False)  # microseconds, keyframe before start
            streams = [s for s in (vin, ain) if s is not None]
            last_pts: dict[int, int] = {}
            for packet in inp.demux(*streams):
                for frame in packet.decode():
                    t = float(frame.time) if frame.time is not None else 0.0
                    if t < start:
                        continue
                    if t > end:
                        break
                    target = vout if packet.stream.type == "video" else aout
                    if target is None:
                        continue
                    rate = target.codec_context.rate if target is vout else target.codec_context.sample_rate
                    pts = int(round((t - start) * float(rate)))
                    if pts <= last_pts.get(target.index, -1):
                        continue
                    last_pts[target.index] = pts
                    frame.pts, frame.time_base = pts, Fraction(1, 1) / rate
                    for enc in target.encode(frame):
                        dst.mux(enc)
                if vin is not None and packet.stream is vin and packet.pts is not None \
                        and float(packet.pts * vin.time_base) > end + 0.5:
                    break
            for target in (vout, aout):
                if target is not None:
                    for enc in target.encode(None):
                        dst.mux(enc)
    return out


def cut_clips(video: str | Path, dialogue: Dialogue, out_dir: Path) -> dict[int, Path]:
    """One clip per timed utterance of `dialogue`, cut from `video` into `out_dir`.

    Raises:
        MediaError: the video cannot be opened or decoded.
    """
    from emoreason.io import probe

    video = Path(video)
    media = probe(video)
    out_dir.mkdir(parents=True, exist_ok=True)
    clips: dict[int, Path] = {}
    for u in dialogue.utterances:
        if u.start is None or u.end is None or u.end <= u.start or u.start >= media.duration:
            continue
        target = out_dir / f"dia{dialogue.conversation_id}utt{u.utterance_id}.mp4"
        try:
            clips[u.utterance_id] = _encode_span(video, u.start, min(u.end, media.duration), target)
        except (OSError, ValueError) as exc:  # PyAV errors derive from these
            raise MediaError(video, f"cannot cut utterance {u.utterance_id} ({u.start:.2f}-{u.end:.2f} s): "
                                    f"{exc}") from exc
    return clips
