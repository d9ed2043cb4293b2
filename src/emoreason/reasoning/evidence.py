"""Evidence as language models read it: short clue aliases, rendered blocks, a stable hash.

Small models copy short ids far more reliably than hashes, so each clue gets an alias made
of its modality's initial and its rank in time (``F1``, ``V2``, ``T1``); :class:`EvidenceView`
maps aliases back to clue ids. :func:`evidence_hash` fingerprints the evidence (clues,
transcript, modality statuses) for the LLM-call cache.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from emoreason.reasoning.protocol import ReasoningRequest
from emoreason.records import Clue, Modality, StageStatus

PREFIX: dict[Modality, str] = {
    Modality.FACE: "F", Modality.VOICE: "V", Modality.TEXT: "T", Modality.SCENE: "S", Modality.BODY: "B",
}
#: What each modality is called in the EMER paragraph convention.
MODALITY_NAMES: dict[Modality, str] = {
    Modality.FACE: "video (face)", Modality.VOICE: "audio (voice)", Modality.TEXT: "text (subtitle)",
    Modality.SCENE: "video (scene)", Modality.BODY: "video (body)",
}


def fmt_span(start: float, end: float) -> str:
    """A time span the way explanations cite it: ``0.4-2.1 s``."""
    return f"{start:.1f}-{end:.1f} s"


@dataclass
class EvidenceView:
    """The clues of one request under short aliases."""

    request: ReasoningRequest
    alias_to_id: dict[str, str] = field(default_factory=dict)
    id_to_alias: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, request: ReasoningRequest) -> EvidenceView:
        """Alias every clue of `request` (F1, F2, V1, …, in time order)."""
        view = cls(request)
        counts: dict[Modality, int] = {}
        for clue in request.clues:
            counts[clue.modality] = counts.get(clue.modality, 0) + 1
            alias = f"{PREFIX[clue.modality]}{counts[clue.modality]}"
            view.alias_to_id[alias] = clue.id
            view.id_to_alias[clue.id] = alias
        return view

    def resolve(self, ref: str) -> str | None:
        """The clue id an alias or an id refers to, or None when it names no clue."""
        ref = ref.strip().strip("[]()")
        if ref in self.id_to_alias:
            return ref
        return self.alias_to_id.get(ref.upper())

    def clue_line(self, clue: Clue) -> str:
        """One clue as a prompt line: ``[F1] 0.4-2.1 s, strength 0.80: smiles broadly``."""
        alias = self.id_to_alias[clue.id]
        return f"[{alias}] {fmt_span(clue.start, clue.end)}, strength {clue.strength:.2f}: {clue.description}"

    def modality_block(self, modality: Modality, *, max_clues: int = 6) -> str:
        """The clues of one modality, strongest first, or a line saying why there are none."""
        clues = [c for c in self.request.clues if c.modality == modality]
        if clues:
            top = sorted(clues, key=lambda c: (-c.strength, c.start))[:max_clues]
            return "\n".join(self.clue_line(c) for c in sorted(top, key=lambda c: c.start))
        report = next((m for m in self.request.modalities if m.modality == modality), None)
        if report is None or report.status != StageStatus.OK:
            why = report.message or report.status.value if report else "not analysed"
            return f"(no {modality.value} evidence: {why})"
        return f"(no {modality.value} clue found)"

    def subtitle(self) -> str:
        """The transcript text, or an empty string."""
        return self.request.transcript.text if self.request.transcript else ""

    def render(self, *, max_clues: int = 6) -> str:
        """All evidence, one block per modality that was read or has clues."""
        blocks: list[str] = []
        for modality in (Modality.FACE, Modality.BODY, Modality.SCENE, Modality.VOICE, Modality.TEXT):
            report = next((m for m in self.request.modalities if m.modality == modality), None)
            has = any(c.modality == modality for c in self.request.clues)
            if not has and (report is None or report.status != StageStatus.OK) and modality in (
                Modality.BODY, Modality.SCENE
            ):
                continue
            blocks.append(f"{modality.value.upper()}:\n{self.modality_block(modality, max_clues=max_clues)}")
        subtitle = self.subtitle()
        blocks.append(f'SUBTITLE: "{subtitle}"' if subtitle else "SUBTITLE: (none)")
        return "\n".join(blocks)


def evidence_hash(request: ReasoningRequest) -> str:
    """A stable fingerprint of the evidence reasoning sees (clues, transcript, statuses)."""
    payload = {
        "clues": [c.model_dump(mode="json") for c in request.clues],
        "status": sorted((m.modality.value, m.status.value) for m in request.modalities),
        "text": request.transcript.text if request.transcript else "",
        "duration": round(request.media.duration, 3),
    }
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]
