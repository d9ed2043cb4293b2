"""Loaders on synthetic files and on the real benchmark files; prediction readers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from emoreason.tasks.loaders import DataLoadError, load_dataset
from emoreason.tasks.loaders.ecf import load_ecac_json, load_ecf_txt
from emoreason.tasks.loaders.encoding import repair_text
from emoreason.tasks.predictions import PredictionFormatError, read_predictions
from emoreason.tasks.spec import DatasetRef, LoaderKind


def test_repair_text() -> None:
    assert repair_text("it\u00e2\u20ac\u2122s fine")[0] == "it\u2019s fine"  # cp1252 mojibake
    assert repair_text("I\u9225\u6a93 leaving")[0] == "I\u2019m leaving"  # GBK mojibake swallowing 'm'
    fixed, changed, broken = repair_text("plain text")
    assert fixed == "plain text" and not changed and not broken
    assert repair_text("come and go \u00e2\u0080?but")[2]  # truncated sequence: reported, not guessed


def test_ecf_txt_synthetic(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("7 2\n(2,1),(2,2)\n1 | Ross | neutral | Hi . | t\n2 | Rachel | joy | Yes ! | t\n")
    data = load_ecf_txt(path)
    assert [(p.emotion_utterance, p.cause_utterance, p.emotion) for p in data.conversations[0].pairs] == [
        (2, 1, "joy"), (2, 2, "joy")]


def test_ecac_span_positions(tmp_path: Path) -> None:
    record = {"conversation_ID": 9, "conversation": [
        {"utterance_ID": 1, "text": "I got the job , finally !", "speaker": "A", "emotion": "joy"}],
        "emotion-cause_pairs": [["1_joy", "1_I got the job ,"], ["1_joy", "1_2_4"], ["bad"]]}
    path = tmp_path / "c.json"
    path.write_text(json.dumps([record]))
    data = load_ecac_json(path)
    pairs = data.conversations[0].pairs
    assert (pairs[0].start, pairs[0].end) == (0, 4)  # trailing ',' trimmed, as the official scorer does
    assert (pairs[1].start, pairs[1].end) == (2, 4)
    assert len(data.issues) == 1 and not data.issues[0].repaired


def test_missing_file_names_fix(tmp_path: Path) -> None:
    with pytest.raises(DataLoadError, match="--data-root"):
        load_dataset(DatasetRef(loader=LoaderKind.EMER_V1, path="nope.csv"), tmp_path)


def test_read_predictions_formats(tmp_path: Path) -> None:
    jsonl = tmp_path / "p.jsonl"
    jsonl.write_text('{"id": "a", "labels": ["happy"]}\n{"name": "b", "openset": "[sad, tired]"}\n{"x": 1}\n')
    preds = read_predictions(jsonl)
    assert [p.labels for p in preds.predictions] == [["happy"], ["sad", "tired"]]
    assert len(preds.issues) == 1
    csv = tmp_path / "p.csv"
    csv.write_text("name,label,text\na,happy,He smiles.\n")
    assert read_predictions(csv).predictions[0].text == "He smiles."
    npz = tmp_path / "x-openset-sentiment.npz"
    np.savez(npz, filenames=np.array(["a"]), fileitems=np.array(["Positive"]))
    assert read_predictions(npz).predictions[0].sentiment == "positive"
    with pytest.raises(PredictionFormatError, match="unsupported extension"):
        bad = tmp_path / "p.txt"
        bad.write_text("x")
        read_predictions(bad)


# ---------------------------------------------------------------- the real files

@pytest.mark.parametrize(("loader", "path", "extra", "split", "n"), [
    (LoaderKind.EMER_V1, "emer/emer_v1_gt_eng.csv", None, None, 100),
    (LoaderKind.EMER_V2, "emer/emer_v2_reasons.csv", "ov_merd/ground_truth_openset.csv", None, 332),
    (LoaderKind.OVMERD_OPENSET, "ov_merd/ground_truth_openset.csv", None, None, 332),
    (LoaderKind.MERBENCH_LABELS, "merbench_labels/mer2023-dataset-process/label-6way.npz",
     "merbench_labels/mer2023-dataset-process/transcription-engchi-polish.csv", "test1_corpus", 411),
    (LoaderKind.MERBENCH_LABELS, "merbench_labels/cmumosi-process/label.npz", None, "test_corpus", 686),
    (LoaderKind.MERBENCH_LABELS, "merbench_labels/meld-process/label.npz", None, "test_corpus", 2610),
    (LoaderKind.MERR_FINE_GRAINED, "merr/MERR_fine_grained.cleaned.json", None, None, 4487),
    (LoaderKind.EIBENCH_BASIC, "eibench/EI_Basic/user.jsonl", "eibench/EI_Basic/basic_ground_truth.json", None,
     1615),
    (LoaderKind.EIBENCH_COMPLEX, "eibench/EI_Complex/ec_complex.jsonl", None, None, 50),
    (LoaderKind.ECEM_CHAT, "ecem/train_data_just_reason.json", None, None, 5837),
])
def test_real_sample_loaders(shared_data: Path, loader: LoaderKind, path: str, extra: str | None,
                             split: str | None, n: int) -> None:
    ref = DatasetRef(loader=loader, path=f"benchmarks/{path}", split=split,
                     extra_path=f"benchmarks/{extra}" if extra else None)
    data = load_dataset(ref, shared_data)
    assert len(data.samples) == n
    assert all(s.id for s in data.samples)


def test_ecem_encoding_issues_reported(shared_data: Path) -> None:
    data = load_dataset(DatasetRef(loader=LoaderKind.ECEM_CHAT, path="benchmarks/ecem/train_data_just_reason.json"),
                        shared_data)
    repaired = [i for i in data.issues if i.repaired]
    left = [i for i in data.issues if not i.repaired]
    assert len(repaired) > 500 and left  # most repaired; truncated byte sequences reported
    by_id = {s.id: s for s in data.samples}
    assert "I\u2019m not leaving" in (by_id["256:t_212_6.mp4"].subtitle or "")
    assert by_id["256:t_212_6.mp4"].label == "sadness"


def test_real_conversation_loaders(shared_data: Path) -> None:
    ecf = load_dataset(DatasetRef(loader=LoaderKind.ECF_TXT, path="benchmarks/ecf/test.txt"), shared_data)
    assert len(ecf.conversations) == 261 and sum(len(c.pairs) for c in ecf.conversations) == 1873
    ecac = load_dataset(DatasetRef(loader=LoaderKind.ECAC_JSON,
                                   path="benchmarks/ecf/semeval2024_ecac/Subtask_1_test.json"), shared_data)
    assert len(ecac.conversations) == 341 and not ecac.issues
