"""The registry of perception stages and the default order the pipeline runs them in."""

from __future__ import annotations

from emoreason.perception.base import PerceptionStage
from emoreason.records import Modality
from emoreason.registry import ComponentSpec, Registry

STAGES: Registry[PerceptionStage] = Registry("stages")
STAGES.register(ComponentSpec("voice", "emoreason.perception.voice:VoiceStage", "speech activity + prosody"))
STAGES.register(ComponentSpec("text", "emoreason.perception.text:TextStage", "transcript/ASR + lexical cues"))
STAGES.register(ComponentSpec("face", "emoreason.perception.face:FaceStage", "faces, AUs, expression"))
#: Optional: only run when a vision endpoint is configured (the pipeline adds it then; see images/scene_stage.py).
STAGES.register(ComponentSpec("scene", "emoreason.images.scene_stage:SceneStage", "key frames → vision-language model"))

#: Voice runs first (speech segments bound ASR and pick the speaking face), then text, then face.
DEFAULT_ORDER: tuple[str, ...] = ("voice", "text", "face")

#: Stages built (and their background work started) first, so it overlaps the other imports.
EARLY_START: tuple[str, ...] = ("face",)

#: Which modality each built-in stage reports on (used when a stage cannot even be loaded).
STAGE_MODALITIES: dict[str, tuple[Modality, ...]] = {
    "voice": (Modality.VOICE,),
    "text": (Modality.TEXT,),
    "face": (Modality.FACE,),
    "scene": (Modality.SCENE,),
}
