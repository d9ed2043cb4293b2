"""Emotion-wheel metrics: synthetic hand-computed cases, source tables vs npz, reproductions."""

from __future__ import annotations

import glob
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emoreason.metrics.base import MetricError
from emoreason.metrics.emotion_wheel import WHEELS, EmotionWheel, ew_scores, hit_rate, parse_label_list


def _toy_wheel() -> EmotionWheel:
    fmt = {"happy": ["happy"], "happiness": ["happy"], "joyful": ["joyful"], "sad": ["sad"], "sadness": ["sad"],
           "angry": ["angry"], "furious": ["furious"]}
    raw = {"happy": ["happy"], "joyful": ["happy", "joyful"], "sad": ["sad"], "angry": ["angry"],
           "furious": ["angry", "furious"]}
    level1 = {"happy": "happy", "joyful": "happy", "sad": "sad", "angry": "mad", "furious": "mad"}
    level2 = {"happy": "happy", "joyful": "joyful", "sad": "sad", "angry": "angry", "furious": "furious"}
    return EmotionWheel(fmt, raw, {w: {"level1": level1, "level2": level2} for w in WHEELS})


@pytest.mark.parametrize(("value", "expected"), [
    ("['happy', 'sad']", ["happy", "sad"]),
    ("[happy, sad]", ["happy", "sad"]),
    ('["a b", \'c\']', ["a b", "c"]),
    ("", []),
    (None, []),
    (float("nan"), []),
    (np.array(["x", "y"]), ["x", "y"]),
    (["Happy "], ["Happy "]),
])
def test_parse_label_list(value: object, expected: list[str]) -> None:
    assert parse_label_list(value) == expected


def test_ew_scores_hand_computed() -> None:
    wheel = _toy_wheel()
    refs = [["happy", "sad"], ["angry"], ["neutral"]]
    preds = [["Joyful", "unknownword"], [], ["happy"]]
    out = ew_scores(refs, preds, wheel)
    # sample 1: G={happy, sad}, P={happy} -> p=1, r=0.5; sample 2: P empty -> 0, 0; sample 3 excluded.
    p, r = (1 + 0) / 2, (0.5 + 0) / 2
    assert out.value == pytest.approx(2 * p * r / (p + r))
    assert out.components["precision"] == pytest.approx(p)
    assert out.components["recall"] == pytest.approx(r)
    assert out.per_sample[2] is None and out.n_excluded == 1
    # 'furious' -> base 'furious' -> wheel words ['angry', 'furious']; sorted first on the wheel: 'angry'.
    assert wheel.map_label("furious", "wheel1", "level2") == "angry"
    assert wheel.map_label("furious", "wheel1", "level1") == "mad"
    assert wheel.map_label("unknownword", "wheel1", "level1") is None
    assert ew_scores([["sad"]], [["happy"]], wheel, level="level2").value == 0.0


def test_hit_rate_hand_computed() -> None:
    wheel = _toy_wheel()
    out = hit_rate(["happy", "sad", "neutral", "angry"], [["joyful"], ["happy"], ["sad"], ["furious", "sad"]], wheel)
    assert out.value == pytest.approx(2 / 3)
    assert out.per_sample == [1.0, 0.0, None, 1.0]


def test_length_mismatch_raises() -> None:
    with pytest.raises(MetricError, match="align"):
        ew_scores([["happy"]], [], _toy_wheel())


# ---------------------------------------------------------------- real tables (shared data)

def _reference_string_to_list(s: object) -> list[str]:
    """Independent transcription of the reference `string_to_list` (for cross-checking)."""
    if isinstance(s, np.ndarray):
        s = s.tolist()
    if isinstance(s, list):
        return s
    if s == "" or (isinstance(s, float) and np.isnan(s)):
        return []
    s = str(s)
    if s[0] == "[":
        s = s[1:]
    if s[-1] == "]":
        s = s[:-1]
    return [i.strip() for i in re.split("['\",]", s) if i.strip() not in ["", ","]]


def _reference_ew(fm: dict, rm: dict, wm: dict, name2gt: dict, name2pred: dict, level: str) -> float:
    """Independent straight-line EW-F: per wheel mean P/R -> F, averaged over wheels."""
    def back(label: str, wmap: dict) -> str:
        if label not in fm:
            return ""
        for level1 in sorted(r for f in fm[label] for r in rm[f]):
            if level1 in wmap:
                return wmap[level1]
        return ""

    fs = []
    for w in ["wheel1", "wheel2", "wheel3", "wheel4", "wheel5"]:
        wmap, acc, rec = wm[w][level], [], []
        for name in name2gt:
            gt = {x for x in (back(i.lower().strip(), wmap) for i in _reference_string_to_list(name2gt[name])) if x}
            pr = {x for x in (back(i.lower().strip(), wmap) for i in _reference_string_to_list(name2pred[name])) if x}
            if not gt:
                continue
            acc.append(len(gt & pr) / len(pr) if pr else 0)
            rec.append(len(gt & pr) / len(gt) if pr else 0)
        p, r = np.mean(acc), np.mean(rec)
        fs.append(2 * p * r / (p + r))
    return float(np.mean(fs))


@pytest.fixture(scope="module")
def bench(shared_data: Path) -> Path:
    return shared_data / "benchmarks"


@pytest.fixture(scope="module")
def wheel(bench: Path) -> EmotionWheel:
    return EmotionWheel.from_npz(bench / "emotion_wheel" / "wheel_mapping.npz")


def test_sources_rebuild_npz(bench: Path, wheel: EmotionWheel) -> None:
    from emoreason.metrics.emotion_wheel_sources import build_wheel_tables

    fmt, raw, wheels = build_wheel_tables(bench / "emotion_wheel")
    assert wheels == wheel.wheel_maps
    assert {k: sorted(set(v)) for k, v in raw.items()} == {k: sorted(set(v)) for k, v in wheel.raw_mapping.items()}
    differing = [k for k in set(fmt) | set(wheel.format_mapping)
                 if sorted(fmt.get(k, [])) != sorted(wheel.format_mapping.get(k, []))]
    # The compiled npz is a later revision: it drops some '-less' antonym forms (e.g. 'aim' -> 'aimless').
    assert len(differing) < 70
    for key in differing:
        extra = set(fmt.get(key, [])) ^ set(wheel.format_mapping.get(key, []))
        assert "less" in key or all(word.endswith("less") for word in extra), key


def test_ovmerd_baseline_ew_f1(bench: Path, wheel: EmotionWheel) -> None:
    gt = pd.read_csv(bench / "ov_merd" / "ground_truth_openset.csv")
    pred = pd.read_csv(bench / "ov_merd" / "baseline_prediction_openset.csv")
    name2pred = dict(zip(pred["name"], pred["openset"], strict=True))
    out = ew_scores(list(gt["openset"]), [name2pred[n] for n in gt["name"]], wheel)
    reference = _reference_ew(wheel.format_mapping, wheel.raw_mapping, wheel.wheel_maps,
                              dict(zip(gt["name"], gt["openset"], strict=True)), name2pred, "level1")
    assert out.value == pytest.approx(reference, abs=1e-12)
    assert round(out.value, 4) == 0.5546
    assert out.n_scored == 331  # one ground truth maps onto no wheel word


def test_zeroshot_ew_f1_table(bench: Path, wheel: EmotionWheel) -> None:
    gt = pd.read_csv(bench / "ov_merd" / "ground_truth_openset.csv")
    name2gt = dict(zip(gt["name"], gt["openset"], strict=True))
    rows = []
    for path in sorted(glob.glob(str(bench / "ovmerd_zeroshot" / "*" / "*-openset.npz"))):
        data = np.load(path, allow_pickle=True)
        name2pred = dict(zip(data["filenames"], data["fileitems"], strict=True))
        out = ew_scores(list(gt["openset"]), [name2pred[n] for n in gt["name"]], wheel)
        reference = _reference_ew(wheel.format_mapping, wheel.raw_mapping, wheel.wheel_maps, name2gt, name2pred,
                                  "level1")
        assert out.value == pytest.approx(reference, abs=1e-12)
        rows.append((Path(path).parent.name, Path(path).name.replace("output-reason-7b-", ""), out.value))
    assert len(rows) == 15
    print("\nEW-F1 (level 1) of the zero-shot models on OV-MERD")
    for model, setting, value in rows:
        print(f"  {model:<14} {setting:<36} {value:.4f}")
    assert max(v for _, _, v in rows) == pytest.approx(0.5665, abs=5e-5)  # Video-ChatGPT nosubtitle-addsub
