"""Whole-image evidence: statistics, people layout, and text in the image (OCR when installed).

* **Statistics** (numpy/OpenCV): mean luma, luma spread, colourfulness (Hasler & Süsstrunk
  2003, ``M = σ_rgyb + 0.3 μ_rgyb`` over ``rg = R − G`` and ``yb = (R + G)/2 − B``), mean
  saturation, share of warm hues among saturated pixels, sharpness (Laplacian variance).
  Dim pictures (luma < 0.25) get the ``dark_scene`` tag, vivid ones a ``colourful`` clue.
* **Layout**: people count and where they stand; three or more people get the ``crowd`` tag.
* **Text**: ``rapidocr-onnxruntime`` (Apache-2.0, PP-OCRv4 ONNX models inside its wheel) reads
  the text; its English lines go through the text stage's lexicon (NRC/VADER) and become TEXT
  clues. Without the package the text is reported as not read.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache

import numpy as np

from emoreason.images.records import ImageStats
from emoreason.records import Clue, Evidence, Modality

log = logging.getLogger(__name__)
SOURCE = "emoreason.images.scene"
OCR_SOURCE = "rapidocr-onnxruntime (PP-OCRv4 det+rec)"
OCR_MIN_SCORE = 0.75
DARK = 0.25
VIVID = 0.45
_LOCK = threading.Lock()


def image_stats(rgb: np.ndarray) -> ImageStats:
    """Statistics of an RGB uint8 picture (computed on a ≤ 320-px copy: they are global)."""
    import cv2

    small = rgb
    if max(rgb.shape[:2]) > 320:
        f = 320 / max(rgb.shape[:2])
        small = cv2.resize(rgb, (max(1, int(rgb.shape[1] * f)), max(1, int(rgb.shape[0] * f))),
                           interpolation=cv2.INTER_AREA)
    arr = small.astype(np.float64)
    r, g, b = arr[..., 0], arr[..., 1], arr[..., 2]
    luma = (0.299 * r + 0.587 * g + 0.114 * b) / 255.0
    rg, yb = r - g, 0.5 * (r + g) - b
    colourful = np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean())
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    sat = hsv[..., 1] / 255.0
    hue = hsv[..., 0].astype(np.float64) * 2.0  # degrees
    saturated = sat > 0.25
    warm = ((hue < 70) | (hue > 330)) & saturated
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    sharp = float(cv2.Laplacian(grey, cv2.CV_64F).var())
    return ImageStats(
        brightness=round(float(luma.mean()), 3), contrast=round(float(luma.std()), 3),
        colourfulness=round(float(colourful) / 100.0, 3), saturation=round(float(sat.mean()), 3),
        warmth=round(float(warm.sum() / max(saturated.sum(), 1)), 3), sharpness=round(min(sharp / 1000.0, 1.0), 3),
    )


def stats_clues(stats: ImageStats) -> list[Clue]:
    """SCENE clues the statistics support (dim light, vivid colour); none for an ordinary photo."""
    out = []
    if stats.brightness < DARK:
        out.append(Clue(id="S-dark", modality=Modality.SCENE, description="the picture is dimly lit",
                        start=0.0, end=0.0, strength=round(min(1.0, (DARK - stats.brightness) / DARK + 0.3), 3),
                        evidence=[Evidence(name="brightness", value=stats.brightness, unit="mean luma 0-1")],
                        tags=["dark_scene"], source=SOURCE))
    if stats.colourfulness >= VIVID and stats.brightness >= 0.35:
        out.append(Clue(id="S-vivid", modality=Modality.SCENE, description="bright, vivid colours",
                        start=0.0, end=0.0, strength=round(min(1.0, stats.colourfulness), 3),
                        evidence=[Evidence(name="colourfulness", value=stats.colourfulness, unit="M/100")],
                        tags=["vivid_colours"], source=SOURCE))
    return out


def layout_phrase(positions: list[str]) -> str:
    """'nobody', 'one person, centre', 'two people (left, right)', 'a group of 5 people'."""
    n = len(positions)
    if n == 0:
        return "nobody"
    if n == 1:
        return f"one person, {positions[0]}"
    words = {2: "two", 3: "three", 4: "four"}
    if n <= 4:
        return f"{words[n]} people ({', '.join(positions)})"
    return f"a group of {n} people"


def position_of(cx: float, width: int) -> str:
    """Horizontal position of x = `cx` in five bands."""
    f = cx / max(width, 1)
    return ("left", "centre-left", "centre", "centre-right", "right")[min(4, int(f * 5))]


def layout_clue(people: int, phrase: str) -> Clue | None:
    """A SCENE clue for a group (three or more people share the picture)."""
    if people < 2:
        return None
    return Clue(id="S-people", modality=Modality.SCENE, description=f"{phrase} share the picture",
                start=0.0, end=0.0, strength=0.5 if people >= 3 else 0.35,
                evidence=[Evidence(name="people_count", value=people)],
                tags=["crowd"] if people >= 3 else ["together"], source=SOURCE)


@lru_cache(maxsize=1)
def _ocr_engine() -> object:
    from rapidocr_onnxruntime import RapidOCR

    # detection on a ≤ 640-px copy and two threads: text on photos is large, the machine is small
    return RapidOCR(det_limit_side_len=640, det_limit_type="max", intra_op_num_threads=2, inter_op_num_threads=1)


def ocr_available() -> bool:
    """Whether rapidocr-onnxruntime is installed."""
    from importlib.util import find_spec

    return find_spec("rapidocr_onnxruntime") is not None


def read_text(rgb: np.ndarray) -> list[tuple[str, float]]:
    """Text lines (text, confidence) in the picture, top to bottom; [] when none.

    Raises:
        DependencyError: rapidocr-onnxruntime is not installed.
    """
    from emoreason.errors import DependencyError

    if not ocr_available():
        raise DependencyError("text in images needs rapidocr-onnxruntime: pip install --no-deps "
                              "rapidocr-onnxruntime==1.4.4 pyclipper shapely")
    bgr = np.ascontiguousarray(rgb[..., ::-1])
    with _LOCK:
        result, _ = _ocr_engine()(bgr, use_cls=False)
    rows = sorted(result or [], key=lambda r: (min(p[1] for p in r[0]), min(p[0] for p in r[0])))
    return [(str(text).strip(), float(score)) for _, text, score in rows
            if float(score) >= OCR_MIN_SCORE and sum(ch.isalnum() for ch in str(text)) >= 2]


def text_clues(lines: list[tuple[str, float]]) -> list[Clue]:
    """One TEXT clue per line read (lexicon tags from the text stage when the line is English)."""
    from emoreason.perception.text.cues import is_english, lexical_clues
    from emoreason.records import Transcript, TranscriptSegment, TranscriptSource

    out: list[Clue] = []
    for i, (line, score) in enumerate(lines, 1):
        transcript = Transcript(source=TranscriptSource.SUBTITLE_TEXT,
                                segments=[TranscriptSegment(start=0.0, end=0.0, text=line)], origin=OCR_SOURCE)
        tags: list[str] = []
        if is_english(transcript):
            try:
                tags = sorted({t for c in lexical_clues(transcript, duration=0.0) for t in c.tags})
            except Exception as exc:  # noqa: BLE001 - the lexicon is optional here; the line itself is kept
                log.debug("lexicon failed on OCR line %r: %s", line, exc)
        out.append(Clue(id=f"T{i}", modality=Modality.TEXT, description=f'text in the image reads "{line}"',
                        start=0.0, end=0.0, strength=round(min(1.0, score), 3),
                        evidence=[Evidence(name="ocr_text", value=line),
                                  Evidence(name="ocr_score", value=round(score, 3))],
                        tags=tags, source=OCR_SOURCE))
    return out
