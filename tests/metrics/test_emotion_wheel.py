"""Emotion-wheel metrics: synthetic hand-computed cases, table revisions, reference-code reproductions."""

from __future__ import annotations

import glob
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emoreason.metrics.base import MetricError
from emoreason.metrics.emotion_wheel import (
    WHEELS,
    EmotionWheel,
    WheelTables,
    ew_scores,
    hit_rate,
    parse_label_list,
)


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


# EW-F level 1 (F, precision, recall) and level 2 of the OV-MER reference code (MERTools
# MER2025_Track23 my_affectgpt/evaluation/wheel.py: read_format2raws, read_candidate_synonym_merge,
# func_get_wheel_cluster, calculate_openset_overlap_rate, wheel_metric_calculation), run on the
# shared format.csv + wheel1..5.xlsx + synonym.xlsx and the published predictions.
REFERENCE_EW = {
    ("LLaMA-VID", "nosubtitle-addsub"): (0.5491388655, 0.5379665651, 0.5611455316, 0.4123895037),
    ("LLaMA-VID", "nosubtitle"): (0.3746215309, 0.3705697964, 0.3792125089, 0.2379342771),
    ("LLaMA-VID", "subtitle"): (0.4787329686, 0.4644797155, 0.4942231753, 0.3246067189),
    ("Video-ChatGPT", "nosubtitle-addsub"): (0.5651883537, 0.5711587864, 0.5594175834, 0.4286614501),
    ("Video-ChatGPT", "nosubtitle"): (0.3701415583, 0.3858669153, 0.3559502361, 0.2450058301),
    ("Video-ChatGPT", "subtitle"): (0.4452680306, 0.4571002045, 0.4340959451, 0.3065422388),
    ("Video-LLaVA", "nosubtitle-addsub"): (0.5348529242, 0.5346882124, 0.5351161578, 0.3958410884),
    ("Video-LLaVA", "nosubtitle"): (0.3758718955, 0.3704355436, 0.3821498617, 0.2303883910),
    ("Video-LLaVA", "subtitle"): (0.3187905223, 0.3279773602, 0.3103827747, 0.1900828698),
    ("VideoChat", "nosubtitle-addsub"): (0.4818030405, 0.4419006263, 0.5297738139, 0.3373819809),
    ("VideoChat", "nosubtitle"): (0.3585736577, 0.3400294156, 0.3795349946, 0.2141311222),
    ("VideoChat", "subtitle"): (0.4723804914, 0.4477939374, 0.5002902821, 0.3167506964),
    ("mPLUG-Owl", "nosubtitle-addsub"): (0.5610071998, 0.5515870395, 0.5708043403, 0.4242008057),
    ("mPLUG-Owl", "nosubtitle"): (0.4442678629, 0.4275860817, 0.4626478886, 0.2855745469),
    ("mPLUG-Owl", "subtitle"): (0.4937864397, 0.4738572648, 0.5156943221, 0.3270636600),
}
REFERENCE_BASELINE = (0.5537059070, 0.5593952138, 0.5485155880, 0.4244863489)


@pytest.fixture(scope="module")
def bench(shared_data: Path) -> Path:
    return shared_data / "benchmarks"


@pytest.fixture(scope="module")
def wheel(bench: Path) -> EmotionWheel:
    return EmotionWheel.from_folder(bench / "emotion_wheel")


@pytest.fixture(scope="module")
def wheel_2026(bench: Path) -> EmotionWheel:
    return EmotionWheel.from_folder(bench / "emotion_wheel", WheelTables.MER2026)


@pytest.fixture(scope="module")
def name2gt(bench: Path) -> dict[str, str]:
    gt = pd.read_csv(bench / "ov_merd" / "ground_truth_openset.csv")
    return dict(zip(gt["name"], gt["openset"], strict=True))


def _assert_matches(out_l1: object, out_l2: object, expected: tuple[float, float, float, float]) -> None:
    f1, p1, r1, f2 = expected
    got = (out_l1.value, out_l1.components["precision"], out_l1.components["recall"], out_l2.value)
    for value, want in zip(got, (f1, p1, r1, f2), strict=True):
        assert round(value, 4) == round(want, 4) and value == pytest.approx(want, abs=1e-9)


def test_default_tables_are_the_ovmer_sources(wheel: EmotionWheel, wheel_2026: EmotionWheel) -> None:
    assert wheel.tables == WheelTables.OVMER.value == "ovmer" and wheel_2026.tables == "mer2026"
    # The OV-MER format.csv lists 'fear' as a form of 'fearless' (so 'fear' also reaches fearless's
    # synonyms: brave, courageous ...); the MER2026 revision dropped that '-less' form.
    assert "fearless" in wheel.format_mapping["fear"]
    assert "fearless" not in wheel_2026.format_mapping["fear"]
    assert "brave" in wheel.raw_mapping["fearless"]
    with pytest.raises(MetricError, match="choose one of: ovmer, mer2026"):
        EmotionWheel.from_folder("/nonexistent", "mer2025")


def test_sources_differ_from_npz_only_in_less_forms(wheel: EmotionWheel, wheel_2026: EmotionWheel) -> None:
    assert wheel.wheel_maps == wheel_2026.wheel_maps
    assert ({k: sorted(set(v)) for k, v in wheel.raw_mapping.items()}
            == {k: sorted(set(v)) for k, v in wheel_2026.raw_mapping.items()})
    fmt, fmt26 = wheel.format_mapping, wheel_2026.format_mapping
    differing = [k for k in set(fmt) | set(fmt26) if sorted(fmt.get(k, [])) != sorted(fmt26.get(k, []))]
    assert 0 < len(differing) < 70
    for key in differing:
        extra = set(fmt.get(key, [])) ^ set(fmt26.get(key, []))
        assert "less" in key or all(word.endswith("less") for word in extra), key


def test_ovmerd_baseline_reproduces_reference_code(bench: Path, wheel: EmotionWheel, name2gt: dict) -> None:
    pred = pd.read_csv(bench / "ov_merd" / "baseline_prediction_openset.csv")
    name2pred = dict(zip(pred["name"], pred["openset"], strict=True))
    refs, preds = list(name2gt.values()), [name2pred[n] for n in name2gt]
    out1, out2 = ew_scores(refs, preds, wheel), ew_scores(refs, preds, wheel, level="level2")
    _assert_matches(out1, out2, REFERENCE_BASELINE)
    reference = _reference_ew(wheel.format_mapping, wheel.raw_mapping, wheel.wheel_maps, name2gt, name2pred, "level1")
    assert out1.value == pytest.approx(reference, abs=1e-12)
    assert out1.n_scored == 331  # one ground truth maps onto no wheel word


def _zeroshot(bench: Path) -> list[tuple[str, str, dict]]:
    rows = []
    for path in sorted(glob.glob(str(bench / "ovmerd_zeroshot" / "*" / "*-openset.npz"))):
        data = np.load(path, allow_pickle=True)
        setting = Path(path).name.removeprefix("output-reason-7b-").removesuffix("-eng-openset.npz")
        rows.append((Path(path).parent.name, setting, dict(zip(data["filenames"], data["fileitems"], strict=True))))
    return rows


def test_zeroshot_ew_reproduces_reference_code(bench: Path, wheel: EmotionWheel, name2gt: dict) -> None:
    rows = _zeroshot(bench)
    assert {(m, s) for m, s, _ in rows} == set(REFERENCE_EW)
    print("\nEW-F1 (level 1) of the zero-shot models on OV-MERD (ovmer tables = reference code)")
    for model, setting, name2pred in rows:
        preds = [name2pred[n] for n in name2gt]
        out1 = ew_scores(list(name2gt.values()), preds, wheel)
        out2 = ew_scores(list(name2gt.values()), preds, wheel, level="level2")
        _assert_matches(out1, out2, REFERENCE_EW[(model, setting)])
        print(f"  {model:<14} {setting:<20} {out1.value:.4f}")


def test_mer2026_tables_are_an_explicit_choice(bench: Path, wheel_2026: EmotionWheel, name2gt: dict) -> None:
    rows = {(m, s): p for m, s, p in _zeroshot(bench)}
    name2pred = rows[("Video-ChatGPT", "nosubtitle-addsub")]
    out = ew_scores(list(name2gt.values()), [name2pred[n] for n in name2gt], wheel_2026)
    reference = _reference_ew(wheel_2026.format_mapping, wheel_2026.raw_mapping, wheel_2026.wheel_maps, name2gt,
                              name2pred, "level1")
    assert out.value == pytest.approx(reference, abs=1e-12)
    assert round(out.value, 4) == 0.5665 != round(REFERENCE_EW[("Video-ChatGPT", "nosubtitle-addsub")][0], 4)
