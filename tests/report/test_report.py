"""The HTML report: self-contained, the thumbnail is the peak frame, timelines, bad input, and Chromium."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from emoreason.batch import ClipRecord, ClipStatus, ClipTask, ExplainOptions, ExplainSession, ResultStore
from emoreason.records import PeakFrame
from emoreason.report import build_report
from emoreason.report.svg import strength_envelope
from tests.batch.clips import make_clips


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A batch folder: two explained synthetic clips (one given a face peak at 0.5 s) and an error row."""
    root = tmp_path_factory.mktemp("report")
    a, b = make_clips(root / "clips", 2)
    session = ExplainSession(ExplainOptions())
    first = session.explain(ClipTask(id="a", path=str(a), subtitle="I am so happy, this is wonderful"))
    second = session.explain(ClipTask(id="b/second clip", path=str(b)))
    assert first.result is not None and first.result.face is not None
    # the synthetic clip has no face: give it a peak so the thumbnail must come from t = 0.5 s (frame 5)
    first.result.face.peak = PeakFrame(frame=5, time=0.5, face_id=0, phrases=["lip corner puller"])
    broken = ClipRecord(id="broken", path=str(root / "broken.mp4"), status=ClipStatus.ERROR,
                        error=f"{root / 'broken.mp4'}: not a readable media file", error_kind="MediaError")
    with ResultStore(root / "out") as store:
        store.open()
        for record in (first, second, broken):
            store.append(record)
    return root / "out"


def _thumbnails(html: str) -> list[np.ndarray]:
    import cv2

    found = re.findall(r'src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"', html)
    return [cv2.imdecode(np.frombuffer(base64.b64decode(b), np.uint8), cv2.IMREAD_COLOR) for b in found]


def test_batch_report_is_self_contained_with_overview_links_and_sections(batch_dir: Path) -> None:
    html = build_report(batch_dir)
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html), "no external resource"
    assert "<script" not in html and "@import" not in html and "url(" not in html
    assert "Batch overview" in html and "3 clips: 2 explained, 1 error(s)" in html
    for anchor in ("clip-a", "clip-b-second-clip", "clip-broken"):
        assert f'href="#{anchor}"' in html and f'id="{anchor}"' in html
    assert "not a readable media file" in html
    assert "I am so happy, this is wonderful" in html  # transcript
    assert html.count('aria-label="emotion timeline"') == 1 and "No clue in any modality to draw" in html
    assert "lip corner puller" in html and ">text</text>" in html  # the text lane of the first clip


def test_thumbnail_is_the_frame_at_the_peak_time(batch_dir: Path) -> None:
    """Synthetic frame i has red level 20*i in its lower half: the peak (0.5 s, 10 fps) is frame 5."""
    first, second = _thumbnails(build_report(batch_dir))
    assert first.shape[:2] == (48, 64)
    red = float(np.median(first[30:, :, 2]))  # BGR
    assert abs(red - 100) < 12, red
    duration = next(r for r in ResultStore(batch_dir).latest() if r.id.startswith("b/")).result.media.duration
    middle = 20 * int(np.ceil(duration / 2 * 10 - 1e-6))  # no peak: the first frame at or after mid-clip
    assert abs(float(np.median(second[30:, :, 2])) - middle) < 12, (duration, middle)
    assert float(first[:20, :28].mean()) > 230  # the white top-left quadrant: orientation kept


def test_single_explain_json_and_timeline_field(batch_dir: Path, tmp_path: Path) -> None:
    from emoreason.records import ExplainResult

    record = next(r for r in ResultStore(batch_dir).latest() if r.id == "a")
    data = record.result.model_dump(mode="json")
    if "timeline" not in ExplainResult.model_fields:
        pytest.skip("ExplainResult has no timeline field in this version")
    data["timeline"] = [
        {"start": 0.0, "end": 0.5, "label": "sad", "emotions": [{"label": "sad", "score": 0.7},
                                                                   {"label": "neutral", "score": 0.3}]},
        {"start": 0.5, "end": 1.0, "label": "happy", "emotions": [{"label": "happy", "score": 0.9}]},
    ]
    path = tmp_path / "result.json"
    path.write_text(ExplainResult.model_validate(data).model_dump_json())
    html = build_report(path)
    assert "Batch overview" not in html and 'aria-label="emotion timeline"' in html
    assert ">emotions</text>" in html and "0.5–1.0 s: happy 0.90" in html


def test_strength_envelope_takes_the_strongest_clue_at_each_time() -> None:
    from emoreason.records import Clue, Modality

    clues = [Clue(modality=Modality.FACE, description="a", start=0, end=4, strength=0.3),
             Clue(modality=Modality.FACE, description="b", start=2, end=3, strength=0.9),
             Clue(modality=Modality.FACE, description="c", start=5, end=5, strength=0.5)]
    assert strength_envelope(clues, 0.1) == [(0, 2, 0.3), (2, 3, 0.9), (3, 4, 0.3), (4, 5, 0.0), (5, 5.1, 0.5)]


@pytest.mark.parametrize("content", [None, "{not json", '{"media": 3}'])
def test_bad_input_is_one_line_exit_2(tmp_path: Path, content: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    from emoreason.cli.app import main

    src = tmp_path / "in.json"
    if content is not None:
        src.write_text(content)
    assert main(["report", str(src), "-o", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(src) in err and not (tmp_path / "r.html").exists()


def test_report_renders_in_headless_chromium(batch_dir: Path, tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    import cv2

    from emoreason.cli.app import main

    page = tmp_path / "report.html"
    assert main(["report", str(batch_dir), "-o", str(page)]) == 0
    shot = tmp_path / "shot.png"
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--screenshot={shot}",
         "--window-size=1000,1400", page.as_uri()],
        capture_output=True, timeout=90, check=True,
    )
    image = cv2.imread(str(shot), cv2.IMREAD_COLOR).astype(float)
    assert image.shape == (1400, 1000, 3)
    assert image.std() > 20 and len(np.unique(image.reshape(-1, 3), axis=0)) > 100  # text, charts, pictures
    assert (image.min(axis=2) < 80).mean() > 0.005  # dark pixels: text was drawn
