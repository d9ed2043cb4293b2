"""Perception: from media to timestamped clues (face, voice, text, scene)."""

from emoreason.perception.base import ClipContext, PerceptionStage

__all__ = ["ClipContext", "PerceptionStage"]
