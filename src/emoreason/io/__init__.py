"""Media input: probing, frame and audio decoding, still images, subtitles."""

from emoreason.io.audio import AudioClip, iter_audio_chunks, load_audio
from emoreason.io.image import read_image
from emoreason.io.probe import probe
from emoreason.io.subtitles import read_subtitles
from emoreason.io.video import VideoFrame, iter_frames

__all__ = [
    "AudioClip",
    "VideoFrame",
    "iter_audio_chunks",
    "iter_frames",
    "load_audio",
    "probe",
    "read_image",
    "read_subtitles",
]
