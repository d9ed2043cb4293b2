"""text_emotions: statuses for bad input, order, truncation, label-set folding; the shipped head (slow)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emoreason.heads.text_emotion import (
    CANONICAL_CLASSES,
    MAX_CHARS,
    TEXT_HEAD_FILE,
    TextEmotionHead,
    prepare_text,
    text_emotions,
    to_label_set,
    to_meld7,
    to_mer6,
)
from emoreason.reasoning.vocabulary import Family, LabelSet
from tests.heads.factory import random_head


@pytest.fixture()
def head(tmp_path: Path) -> TextEmotionHead:
    return TextEmotionHead(random_head(tmp_path / "h.npz", hidden=16))


def test_canonical_classes_are_families() -> None:
    assert [Family(c).value for c in CANONICAL_CLASSES] == list(CANONICAL_CLASSES)


@pytest.mark.parametrize(("text", "status"), [
    ("", "empty"), ("   \n\t ", "empty"), (None, "empty"), ("?!...", "unreadable"), ("\ufffd\ufffd", "unreadable"),
    ("😂😂", "ok"), ("hello 你好 привет", "ok"), ("[LAUGHTER] You did what?", "ok"), ('{"a": 1}', "ok"),
])
def test_prepare_text_statuses(text: object, status: str) -> None:
    assert prepare_text(text)[1] == status


def test_emoji_only_and_long_inputs_say_what_was_done() -> None:
    assert "emoji" in prepare_text("😭😭")[2]
    clean, status, note = prepare_text("word " * 5000)
    assert status == "ok" and len(clean) == MAX_CHARS and f"to {MAX_CHARS} characters" in note


def test_batch_keeps_order_and_bad_rows(head: TextEmotionHead) -> None:
    texts = ["I love this", "", "!!!", "我很生气", "I love this", "x" * 12000]
    out = head.predict(texts)
    assert [r.status for r in out] == ["ok", "empty", "unreadable", "ok", "ok", "ok"]
    assert [r.text for r in out] == texts
    assert out[0].probabilities == out[4].probabilities
    for r in (out[0], out[3], out[5]):
        assert list(r.probabilities) == list(CANONICAL_CLASSES)
        assert sum(r.probabilities.values()) == pytest.approx(1.0)
        assert r.label == r.emotions[0].label == max(r.probabilities, key=r.probabilities.get)
        assert [e.score for e in r.emotions] == sorted((e.score for e in r.emotions), reverse=True)
        assert -1.0 <= r.valence <= 1.0
    assert out[1].label is None and out[1].emotions == [] and out[1].valence is None
    assert "truncated" in out[5].message


def test_text_emotions_accepts_a_head_path_and_a_bare_string(tmp_path: Path) -> None:
    path = random_head(tmp_path / "h.npz")
    out = text_emotions("so happy", head=path)
    assert len(out) == 1 and out[0].status == "ok"


def test_label_set_folding_sums_probabilities() -> None:
    p = dict(zip(CANONICAL_CLASSES, [0.1, 0.2, 0.05, 0.15, 0.3, 0.1, 0.1], strict=True))
    mer = to_mer6(p)
    assert list(mer) == ["neutral", "angry", "happy", "sad", "worried", "surprise"]
    assert mer["angry"] == pytest.approx(0.25) and sum(mer.values()) == pytest.approx(1.0)
    meld = to_meld7(p)
    assert meld["fear"] == pytest.approx(0.3) and meld["joy"] == pytest.approx(0.2) and meld["disgust"] == 0.1
    assert to_label_set(p, LabelSet.EKMAN7)["happiness"] == pytest.approx(0.2)
    with pytest.raises(ValueError, match="sentiment3"):
        to_label_set(p, LabelSet.SENTIMENT3)


@pytest.mark.slow
def test_shipped_head_reads_plain_emotions_in_chinese_and_english() -> None:
    if not TEXT_HEAD_FILE.is_file():
        pytest.skip("no shipped text head")
    cases = {
        "I'm so happy, this is the best day of my life!": ("happy", 1),
        "我太高兴了，这是我一生中最美好的一天！": ("happy", 1),
        "Get out! I hate you, you ruined everything!": ("angry", -1),
        "你给我滚出去！我恨你！": ("angry", -1),
        "My grandmother passed away last night and I can't stop crying.": ("sad", -1),
    }
    out = text_emotions(list(cases))
    for record, (label, sign) in zip(out, cases.values(), strict=True):
        assert record.label == label, (record.text, record.emotions[:3])
        assert np.sign(record.valence) == sign, (record.text, record.valence)
