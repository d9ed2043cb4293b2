"""Make real broken and edited media files with PyAV for bad-input tests."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np


def remux(src: Path, dst: Path, *, keep: str) -> Path:
    """Copy only the video ('video') or only the audio ('audio') stream of `src` into `dst`."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        in_stream = inp.streams.video[0] if keep == "video" else inp.streams.audio[0]
        out_stream = out.add_stream_from_template(in_stream)
        for packet in inp.demux(in_stream):
            if packet.dts is None:
                continue
            packet.stream = out_stream
            out.mux(packet)
    return dst


def truncate(src: Path, dst: Path, fraction: float) -> Path:
    """Write the first `fraction` of `src`'s bytes to `dst`."""
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * fraction)])
    return dst


def random_bytes(dst: Path, n: int = 50_000, seed: int = 0) -> Path:
    """A file of random bytes with a video suffix."""
    dst.write_bytes(np.random.default_rng(seed).integers(0, 256, n, dtype=np.uint8).tobytes())
    return dst


def synth_video(dst: Path, *, seconds: float = 1.0, fps: int = 10, size: tuple[int, int] = (64, 48),
                rotate: int | None = None, tone_hz: float | None = None) -> Path:
    """Encode a small mpeg4 video whose frame i is filled with grey level i (optionally with a tone)."""
    w, h = size
    with av.open(str(dst), "w") as out:
        v = out.add_stream("mpeg4", rate=fps)
        v.width, v.height, v.pix_fmt = w, h, "yuv420p"
        a = out.add_stream("aac", rate=16000) if tone_hz else None
        n = int(seconds * fps)
        for i in range(n):
            img = np.zeros((h, w, 3), np.uint8)
            img[: h // 2, : w // 2] = 255  # white top-left quadrant shows orientation
            img[h // 2 :, :, 0] = (i * 20) % 256
            for packet in v.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in v.encode():
            out.mux(packet)
        if a is not None:
            t = np.arange(int(seconds * 16000)) / 16000.0
            pcm = (0.5 * np.sin(2 * np.pi * tone_hz * t)).astype(np.float32)[None, :]
            frame = av.AudioFrame.from_ndarray(pcm, format="fltp", layout="mono")
            frame.sample_rate = 16000
            for packet in a.encode(frame):
                out.mux(packet)
            for packet in a.encode():
                out.mux(packet)
    if rotate is not None:
        set_display_rotation(dst, rotate)
    return dst


def set_display_rotation(path: Path, degrees_ccw: int) -> None:
    """Rewrite `path` with a display matrix rotating it `degrees_ccw` counter-clockwise."""
    import subprocess

    import imageio_ffmpeg

    tmp = path.with_name(f"rot-{path.name}")
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error",
           "-display_rotation", str(degrees_ccw), "-i", str(path), "-c", "copy", str(tmp)]
    subprocess.run(cmd, check=True)
    tmp.replace(path)


def damage_packets(src: Path, dst: Path, *, kind: str, start: float, end: float) -> Path:
    """Copy `src` to `dst` with the payload of every `kind` ('video'/'audio') packet in [start, end) s overwritten."""
    with av.open(str(src)) as container:
        spans = [(p.pos, p.size) for p in container.demux() if p.size and p.pos is not None and p.pts is not None
                 and p.stream.type == kind and start <= float(p.pts * p.time_base) < end]
    data = bytearray(src.read_bytes())
    for pos, size in spans:
        data[pos : pos + size] = b"\xff" * size
    dst.write_bytes(bytes(data))
    return dst


def join_files(first: Path, second: Path, dst: Path) -> Path:
    """`cat first second > dst`: two files end to end."""
    dst.write_bytes(first.read_bytes() + second.read_bytes())
    return dst


def duplicate_streams(src: Path, dst: Path, *, video: int = 1, audio: int = 1) -> Path:
    """Copy `src` with its first video stream `video` times and first audio stream `audio` times (ffmpeg -map)."""
    import subprocess

    import imageio_ffmpeg

    maps = ["-map", "0:v:0"] * video + ["-map", "0:a:0"] * audio
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(src), *maps, "-c", "copy", str(dst)]
    subprocess.run(cmd, check=True)
    return dst
