"""Caption metrics equal pycocoevalcap's values (bit for bit) on the same tokenised inputs."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import numpy as np
import pytest
from pycocoevalcap.bleu.bleu import Bleu
from pycocoevalcap.cider.cider import Cider
from pycocoevalcap.rouge.rouge import Rouge, my_lcs

from emoreason.metrics.base import MetricError
from emoreason.metrics.caption import bleu, cider, rouge_l
from emoreason.metrics.caption.rouge import lcs_length
from emoreason.metrics.caption.tokenize import simple_tokenize

WORDS = "the man is happy sad angry smiles frowns and his voice tone rises falls quickly slowly".split()
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="Java runtime not installed")


def _corpus(seed: int, n: int = 200, max_refs: int = 3) -> tuple[list[list[str]], list[str]]:
    rng = random.Random(seed)

    def sentence() -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 25)))

    refs = [[sentence() for _ in range(rng.randint(1, max_refs))] for _ in range(n)]
    return refs, [sentence() for _ in range(n)]


def _coco(refs: list[list[str]], hyps: list[str]) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    return dict(enumerate(refs)), {i: [h] for i, h in enumerate(hyps)}


def test_lcs_matches_dynamic_programming() -> None:
    rng = random.Random(0)
    for _ in range(500):
        a = [rng.choice("abcd") for _ in range(rng.randint(1, 40))]
        b = [rng.choice("abcde") for _ in range(rng.randint(1, 40))]
        assert lcs_length(a, b) == my_lcs(a, b)


@pytest.mark.parametrize("seed", range(3))
def test_bleu_identical(seed: int) -> None:
    refs, hyps = _corpus(seed)
    score, per_sample = Bleu(4).compute_score(*_coco(refs, hyps), verbose=0)
    ours = bleu(refs, hyps)
    assert [o.value for o in ours] == score
    assert [o.per_sample for o in ours] == per_sample


@pytest.mark.parametrize("seed", range(3))
def test_rouge_identical(seed: int) -> None:
    refs, hyps = _corpus(seed)
    score, per_sample = Rouge().compute_score(*_coco(refs, hyps))
    ours = rouge_l(refs, hyps)
    assert ours.value == score and ours.per_sample == list(per_sample)


@pytest.mark.parametrize("seed", range(3))
def test_cider_identical(seed: int) -> None:
    refs, hyps = _corpus(seed)
    score, per_sample = Cider().compute_score(*_coco(refs, hyps))
    ours = cider(refs, hyps)
    assert ours.value == score and ours.per_sample == list(per_sample)


def test_edge_cases_identical() -> None:
    refs = [["a b c"], ["a  b"], ["x y z w"], ["a b c d e f"]]
    hyps = ["", "a b", "x", "f e d c b a"]
    coco = _coco(refs, hyps)
    assert [o.value for o in bleu(refs, hyps)] == Bleu(4).compute_score(*coco, verbose=0)[0]
    assert rouge_l(refs, hyps).value == Rouge().compute_score(*coco)[0]
    assert cider(refs, hyps).value == Cider().compute_score(*coco)[0]
    with pytest.raises(MetricError):
        bleu([[]], ["a"])


def test_real_descriptions_identical(shared_data: Path) -> None:
    import pandas as pd

    bench = shared_data / "benchmarks"
    table = pd.read_csv(bench / "emer" / "emer_v2_reasons.csv")
    reference = dict(zip(table["name"], table["english"], strict=True))
    reasons = np.load(bench / "ovmerd_zeroshot" / "VideoChat" / "output-reason-7b-subtitle-eng.npz",
                      allow_pickle=True)["name2reason"].item()
    names = sorted(reasons)[:150]
    hyps = simple_tokenize([reasons[n] for n in names])
    refs = [[r] for r in simple_tokenize([reference[n] for n in names])]
    coco = _coco(refs, hyps)
    assert [o.value for o in bleu(refs, hyps)] == Bleu(4).compute_score(*coco, verbose=0)[0]
    assert rouge_l(refs, hyps).per_sample == list(Rouge().compute_score(*coco)[1])
    assert cider(refs, hyps).per_sample == list(Cider().compute_score(*coco)[1])


@needs_java
@pytest.mark.slow
def test_meteor_identical() -> None:
    from pycocoevalcap.meteor.meteor import Meteor

    from emoreason.metrics.caption.meteor import meteor

    refs, hyps = _corpus(7, n=120)
    score, per_sample = Meteor().compute_score(*_coco(refs, hyps))
    ours = meteor(refs, hyps, workers=2)
    assert ours.value == score and ours.per_sample == per_sample


@needs_java
@pytest.mark.slow
def test_ptb_tokenizer_identical() -> None:
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    from emoreason.metrics.caption.tokenize import ptb_tokenize

    texts = ["He smiled, then frowned -- \"why?\" he asked.", "It's (really) fine... isn't it?", "",
             "Multi\nline caption; with: punctuation!"]
    expected = PTBTokenizer().tokenize({i: [{"caption": t}] for i, t in enumerate(texts)})
    assert ptb_tokenize(texts) == [expected[i][0] for i in range(len(texts))]
