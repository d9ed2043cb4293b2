"""Instruction templates of Emotion-LLaMA and AffectGPT, with feature slots.

A rendered prompt is text with ``<|stream:NAME|>`` markers where a stream's projected tokens
go. Emotion-LLaMA (MiniGPT-v2 style) wraps the request in ``[INST] … [/INST]`` with the
``[emotion]`` (coarse) or ``[reason]`` (fine) task token; AffectGPT puts audio, face frames and
the subtitle in tagged blocks before its question. Vision streams and face evidence fill the
video slot, audio streams and prosody the audio slot, clues and the timeline a feature slot.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from emoreason.mllm.config import StreamConfig

MARKER = re.compile(r"<\|stream:([A-Za-z0-9_-]+)\|>")
EMOTION_LLAMA_LABELS = "happy, sad, neutral, angry, worried, surprise, fear, contempt, doubt"
EMOTION_LLAMA_COARSE = (f"Please determine which emotion label in the video represents: {EMOTION_LLAMA_LABELS}.",)
EMOTION_LLAMA_FINE = (
    "Please analyze all the clues in the video and reason out the emotional label of the person in the video.",
    "What is the emotional state of the person in the video? Please tell me the reason.",
    "What are the facial expressions and vocal tone used in the video? What is the intended meaning behind "
    "his words? Which emotion does this reflect?",
    "Please integrate information from various modalities to infer the emotional category of the person in "
    "the video.",
    "Could you describe the emotion-related features of the individual in the video? What emotional category "
    "do they fall into?",
)
AFFECTGPT_COARSE = ("Please recognize all possible emotional states of the character.",)
AFFECTGPT_FINE = ("Please infer the person's emotional state and provide your reasoning process.",)


@dataclass(frozen=True)
class Prompt:
    """A rendered prompt (with stream markers) and the name of the template."""

    text: str
    template: str


def slot_of(stream: StreamConfig) -> str:
    """Which slot a stream's tokens fill: video, audio or feature."""
    if stream.kind == "vision" or stream.source in ("au", "face_table"):
        return "video"
    if stream.kind == "audio" or stream.source == "prosody":
        return "audio"
    return "feature"


def _markers(streams: list[StreamConfig], slot: str, present: set[str]) -> str:
    return "".join(f"<|stream:{s.name}|>" for s in streams if slot_of(s) == slot and s.name in present)


def _pick(options: tuple[str, ...], key: str) -> str:
    return options[int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:6], 16) % len(options)]


def render_prompt(template: str, task: str, *, streams: list[StreamConfig], present: set[str],
                  subtitle: str | None, key: str = "", question: str | None = None) -> Prompt:
    """The instruction for one sample; `present` names the streams that have tokens for it.

    `question` replaces the template's instruction (an ECEM question, say); `key` picks one of
    the template's instructions deterministically.
    """
    video, audio, feature = (_markers(streams, slot, present) for slot in ("video", "audio", "feature"))
    said = (subtitle or "").strip() or "(nothing)"
    if template == "affectgpt":
        ask = question or _pick(AFFECTGPT_COARSE if task == "coarse" else AFFECTGPT_FINE, key)
        text = (f"The audio content is as follows: <Audio>{audio}</Audio>. Meanwhile, we uniformly sample raw "
                f"frames from the video and extract faces from these frames: <Video>{video}</Video>. "
                + (f"Other emotion evidence: <Feature>{feature}</Feature>. " if feature else "")
                + f"The subtitle of this video is: <Subtitle>{said}</Subtitle>. Now, please answer my question "
                f"based on all the provided information. {ask}\nAnswer: ")
        return Prompt(text=text, template="affectgpt")
    token = "[emotion]" if task == "coarse" else "[reason]"
    ask = question or _pick(EMOTION_LLAMA_COARSE if task == "coarse" else EMOTION_LLAMA_FINE, key)
    text = (f"[INST] <video>{video}</video> <feature>{audio}{feature}</feature> The person in video says: "
            f"{said}. {token} {ask} [/INST] ")
    return Prompt(text=text, template="emotion-llama")


def split_prompt(text: str) -> list[tuple[str, str]]:
    """``[("text", chunk) | ("stream", name), …]`` in order."""
    parts: list[tuple[str, str]] = []
    last = 0
    for match in MARKER.finditer(text):
        if match.start() > last:
            parts.append(("text", text[last:match.start()]))
        parts.append(("stream", match.group(1)))
        last = match.end()
    if last < len(text):
        parts.append(("text", text[last:]))
    return parts
