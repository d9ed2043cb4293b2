"""MERR peak frame, AU phrases and clue spans on synthetic face tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from emoreason.perception.face.action_units import AU_CODES, presence
from emoreason.perception.face.clues import build_clues, spans
from emoreason.perception.face.peak import frequent_aus, peak_frame
from emoreason.perception.face.table import finalise
from emoreason.perception.face.vocabulary import AU_TERMS, au_phrase
from emoreason.records import Modality


def _table(n: int = 50, fps: float = 5.0) -> pd.DataFrame:
    t = np.arange(n) / fps
    data = {"frame": np.arange(n) * 5, "face_id": 0, "timestamp": t, "confidence": 0.9, "success": 1,
            "face_x": 10.0, "face_y": 10.0, "face_w": 50.0, "face_h": 60.0,
            "pose_Rx": 0.0, "pose_Ry": 0.0, "pose_Rz": 0.0, "gaze_angle_x": 0.0, "gaze_angle_y": 0.0}  # fmt: skip
    for code in AU_CODES:
        data[f"{code}_r"] = np.zeros(n)
    smile = (t >= 4.0) & (t < 8.0)
    data["AU12_r"] = np.where(smile, 3.5, 0.0)
    data["AU06_r"] = np.where(smile, 2.0, 0.0)
    data["AU06_r"][30] = 4.0  # t = 6.0: the strongest smile
    data["AU04_r"] = np.where(t < 1.5, 2.5, 0.0)
    for code in AU_CODES:
        data[f"{code}_c"] = presence(data[f"{code}_r"])
    data["neutral"] = 0.9
    return finalise(pd.DataFrame(data))


def test_peak_frame_follows_merr_definition() -> None:
    table = _table()
    assert frequent_aus(table)[:2] == ["AU12", "AU06"]  # equally frequent: stronger first
    peak = peak_frame(table)
    assert peak is not None
    assert peak.time == 6.0 and peak.frame == 150
    assert peak.aus == ["AU06", "AU12"]
    assert peak.phrases == ["cheek raiser", "lip corner puller (smile)"]
    assert peak.au_intensities == {"AU06": 4.0, "AU12": 3.5}


def test_every_au_has_a_phrase_and_tags() -> None:
    for code in (*AU_CODES, "AU28"):
        assert AU_TERMS[code].phrase and AU_TERMS[code].tags
    assert au_phrase("AU12", with_code=True) == "AU12: lip corner puller (smile)"


def test_spans_bridge_gaps_and_drop_blips() -> None:
    times = np.arange(20) * 0.2
    mask = np.zeros(20, bool)
    mask[2:8] = True
    mask[9:12] = True  # one-sample gap: bridged
    mask[16] = True  # a blip: dropped
    found = spans(mask, times)
    assert [(s.first, s.last) for s in found] == [(2, 11)]


def test_clues_carry_spans_tags_and_evidence() -> None:
    table = _table()
    peak = peak_frame(table)
    clues = build_clues(table, 0, clip_end=10.0, peak=peak)
    assert clues[0].tags[0] == "peak_frame"
    smile = next(c for c in clues if "smile" in c.tags and "peak_frame" not in c.tags)
    assert smile.modality is Modality.FACE
    assert (smile.start, smile.end) == (4.0, 7.8)
    assert "smiles broadly" in smile.description and "4.0–7.8 s" in smile.description
    assert smile.track_id == 0
    assert {e.name for e in smile.evidence} == {"AU12_r"}
    assert any(e.frame == 100 for e in smile.evidence)  # the first peak sample
    frown = next(c for c in clues if "frown" in c.tags and "peak_frame" not in c.tags)
    assert frown.start == 0.0 and frown.end == 1.4


def test_upper_lip_raise_inside_a_smile_is_not_a_separate_disgust_cue() -> None:
    table = _table()
    smile = table["AU12_r"] > 0
    table.loc[smile, "AU10_r"] = 3.0  # a toothy smile
    table.loc[table["timestamp"] >= 9.0, "AU10_r"] = 3.0  # then a sneer without a smile
    table["AU10_c"] = presence(table["AU10_r"].to_numpy())
    peak = peak_frame(table)
    clues = build_clues(table, 0, clip_end=10.0, peak=peak)
    lip = [c for c in clues if "upper_lip_raise" in c.tags]
    assert [(c.start, c.end) for c in lip] == [(9.0, 9.8)]
    assert "AU10" in peak.aus and "upper_lip_raise" not in clues[0].tags
