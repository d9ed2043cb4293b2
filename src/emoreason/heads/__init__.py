"""Learned heads over frozen encoders: text emotion + valence (more heads register in training).

The public entry point is :func:`text_emotions` (a list of strings → one
:class:`TextEmotion` per string). Encoders: :func:`get_encoder`.
"""

from __future__ import annotations

from emoreason.heads.encoders import SentenceEncoder, get_encoder
from emoreason.heads.text_emotion import (
    CANONICAL_CLASSES,
    LabelScore,
    TextEmotion,
    text_emotions,
    to_label_set,
    to_meld7,
    to_mer6,
)

__all__ = [
    "CANONICAL_CLASSES",
    "LabelScore",
    "SentenceEncoder",
    "TextEmotion",
    "get_encoder",
    "text_emotions",
    "to_label_set",
    "to_meld7",
    "to_mer6",
]
