"""Exports: MERR JSON (the released file's fields), Emotion-LLaMA, ShareGPT, Parquet + card; bad MERR input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emoreason.annotation.errors import AnnotationError
from emoreason.annotation.export import MERR_FIELDS, export_dataset, read_merr_json
from emoreason.annotation.records import AnnotationStatus
from emoreason.annotation.runner import load_records
from emoreason.review.db import DB_NAME, ReviewDB
from tests.annotation.factory import record, write_dataset


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    recs = [record("a"), record("b", label="sad"), record("c", status=AnnotationStatus.FLAGGED),
            record("d", status=AnnotationStatus.LLM_FAILED, caption="")]
    return write_dataset(tmp_path / "ds", recs, with_media=False)


def test_all_formats(dataset: Path, tmp_path: Path) -> None:
    db = ReviewDB(dataset / DB_NAME)
    for who, scores in (("ann1", (4, 2)), ("ann2", (3, 2))):
        for clip, score in zip(("a", "b"), scores, strict=True):
            db.add_rating(clip, who, score)
    written = export_dataset(load_records(dataset), tmp_path / "out", dataset_dir=dataset)
    merr = json.loads(written["merr"].read_text())
    assert sorted(merr) == ["a", "b"]  # flagged and failed clips left out
    for entry in merr.values():
        assert set(entry) == set(MERR_FIELDS)
        assert all(isinstance(entry[k], t) for k, t in MERR_FIELDS.items())
    assert merr["b"]["pseu_emotion"] == "sad" and merr["a"]["peak_index"] == "12"
    lines = [json.loads(x) for x in written["emotion-llama"].read_text().splitlines()]
    assert lines[0]["instruction"].startswith("<video><VideoHere></video> <feature><FeatureHere></feature> "
                                              "The person in video says: I passed the exam (a)!. [reason] ")
    assert lines[0]["answer"] == merr["a"]["smp_reason_caption"]
    share = json.loads(written["sharegpt"].read_text())
    assert [m["from"] for m in share[0]["conversations"]] == ["human", "gpt"]
    assert "<Subtitle>I passed the exam (a)!</Subtitle>" in share[0]["conversations"][0]["value"]
    card = written["card"].read_text()
    assert card.startswith("---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n")
    assert "| `fine_caption` |" in card and "| ann1 | 2 | 3.00 |" in card
    assert "krippendorff_alpha_ordinal" in card and "openai openai:m@http://x" in card
    assert "2 clips exported of 4 annotated" in card


def test_parquet_follows_hf_layout(dataset: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    written = export_dataset(load_records(dataset), tmp_path / "out", formats=["parquet"], include_flagged=True)
    assert written["parquet"] == tmp_path / "out" / "data" / "train-00000-of-00001.parquet"
    table = pq.read_table(written["parquet"])
    assert table.num_rows == 3
    assert str(table.schema.field("au_list").type) == "list<element: string>"
    row = table.to_pylist()[0]
    assert json.loads(row["llm_calls_json"])[0]["prompt_hash"] == "0123456789abcdef"
    assert (tmp_path / "out" / "README.md").is_file()


def test_unknown_format(dataset: Path, tmp_path: Path) -> None:
    with pytest.raises(AnnotationError, match="unknown export format"):
        export_dataset(load_records(dataset), tmp_path / "o", formats=["csv"])


def test_reads_the_released_merr_file(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / "benchmarks" / "merr" / "MERR_fine_grained.cleaned.json"
    records = read_merr_json(src)
    assert len(records) == 4487
    written = export_dataset(records[:50], tmp_path / "out", formats=["merr"])
    ours = json.loads(written["merr"].read_text())
    theirs = json.loads(src.read_text())
    first = records[0].id
    assert ours[first] == theirs[first]  # a round trip keeps every field and type


@pytest.mark.parametrize(("content", "message"), [
    ("not json", "not a JSON file"),
    ("[]", "a MERR file is a JSON object of clips"),
    ('{"s1": "caption"}', "clip 's1' is a str, not an object"),
    ('{"s1": {"AU_list": []}}', "clip 's1' lacks the MERR field"),
    ('{"s1": {"AU_list": "AU01", "visual_prior_list": [], "audio_prior_list": "", "peak_index": "1", '
     '"peak_AU_list": [], "pseu_emotion": "sad", "text": "", "smp_reason_caption": "x"}}',
     "field 'AU_list' should be a list of strings"),
])
def test_malformed_merr_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(AnnotationError, match=message):
        read_merr_json(path)


def test_not_a_dataset(tmp_path: Path) -> None:
    with pytest.raises(AnnotationError, match="not a dataset folder"):
        load_records(tmp_path)
