"""Posture and gesture rules on synthetic landmarks, image statistics, OCR, and the tag contract."""

from __future__ import annotations

import numpy as np
import pytest

from emoreason.images import body, scene
from emoreason.reasoning.cues import normalise_tag


def _pose(**moves: tuple[float, float]) -> body.Pose:
    """An upright person (shoulders 100 px apart), with some landmarks moved."""
    xy = np.zeros((33, 2))
    base = {body.NOSE: (200, 100), body.L_SH: (250, 200), body.R_SH: (150, 200), body.L_EL: (265, 290),
            body.R_EL: (135, 290), body.L_WR: (280, 480), body.R_WR: (120, 480), body.L_HIP: (235, 400),
            body.R_HIP: (165, 400)}
    for i, v in base.items():
        xy[i] = v
    names = {"nose": body.NOSE, "lw": body.L_WR, "rw": body.R_WR, "le": body.L_EL, "re": body.R_EL}
    for k, v in moves.items():
        xy[names[k]] = v
    return body.Pose(xy=xy, visibility=np.ones(33))


@pytest.mark.parametrize("moves, tag", [
    ({"lw": (260, 50), "rw": (140, 50)}, "arms_raised"),
    ({"lw": (420, 230), "rw": (-20, 230)}, "arms_open"),
    ({"lw": (232, 395), "rw": (168, 395), "le": (300, 300), "re": (100, 300)}, "hands_on_hips"),
    ({"lw": (140, 290), "rw": (260, 290), "le": (260, 290), "re": (140, 290)}, "arms_crossed"),
    ({"rw": (190, 120)}, "hand_on_face"),
    ({"nose": (200, 195)}, "head_down"),
])
def test_posture_rules(moves: dict, tag: str) -> None:
    assert tag in {t for _, t, _ in body.posture_of(_pose(**moves))}


def test_upright_person_has_no_posture_and_hidden_shoulders_say_nothing() -> None:
    assert body.posture_of(_pose()) == []
    hidden = _pose(lw=(260, 50))
    hidden.visibility[body.L_SH] = 0.1
    assert body.posture_of(hidden) == []


def _hand(tips: dict[int, tuple[float, float]]) -> body.Hand:
    """Right hand, wrist at (0, 0), palm up the image (y negative), fingers curled unless given."""
    xy = np.zeros((21, 2))
    xy[0] = (0, 0)
    for base, x in ((1, -30), (5, -15), (9, 0), (13, 15), (17, 30)):  # knuckle rows
        xy[base] = (x, -60)
        xy[base + 1] = (x, -80)   # middle joints (pip; for the thumb, mcp=2)
        xy[base + 2] = (x, -70)   # curled back
        xy[base + 3] = (x, -40)   # tips tucked into the palm
    for tip, pos in tips.items():
        xy[tip] = pos
    return body.Hand(xy=xy, label="Right")


def test_hand_gestures() -> None:
    assert body.gesture_of(_hand({8: (-15, -150)}))[1] == "pointing"
    assert body.gesture_of(_hand({8: (-15, -150), 12: (0, -155)}))[1] == "v_sign"
    assert body.gesture_of(_hand({}))[1] == "fist"
    thumb_up = _hand({4: (-30, -180), 3: (-30, -140), 2: (-30, -100)})
    assert body.gesture_of(thumb_up)[1] == "thumbs_up"


def test_every_body_and_scene_tag_is_known_to_fusion() -> None:
    import inspect

    source = inspect.getsource(body) + inspect.getsource(scene)
    tags = {"arms_raised", "arms_open", "hands_on_hips", "arms_crossed", "hand_on_face", "head_down", "fist",
            "thumbs_up", "thumbs_down", "pointing", "v_sign", "open_palm", "dark_scene", "vivid_colours", "crowd",
            "together"}
    assert all(f'"{t}"' in source for t in tags)
    assert [t for t in tags if normalise_tag(t) is None] == []


def test_image_stats_follow_the_pixels() -> None:
    dark = scene.image_stats(np.full((50, 50, 3), 20, np.uint8))
    grey = scene.image_stats(np.full((50, 50, 3), 128, np.uint8))
    vivid = np.zeros((50, 50, 3), np.uint8)
    vivid[:, :25] = (255, 0, 0)
    vivid[:, 25:] = (0, 0, 255)
    colourful = scene.image_stats(vivid)
    assert dark.brightness < 0.1 < grey.brightness and grey.colourfulness == 0.0
    assert colourful.colourfulness > 1.0 and colourful.warmth == pytest.approx(0.5, abs=0.05)
    assert [c.tags for c in scene.stats_clues(dark)] == [["dark_scene"]]


def test_layout_phrases() -> None:
    assert scene.layout_phrase([]) == "nobody"
    assert scene.layout_phrase(["left", "right"]) == "two people (left, right)"
    assert scene.layout_phrase(["centre"] * 6) == "a group of 6 people"
    assert scene.position_of(10, 100) == "left" and scene.position_of(99, 100) == "right"


@pytest.mark.skipif(not scene.ocr_available(), reason="rapidocr-onnxruntime not installed")
def test_ocr_reads_text_and_tags_it() -> None:
    import cv2

    img = np.full((160, 640, 3), 255, np.uint8)
    cv2.putText(img, "HAPPY BIRTHDAY", (20, 100), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (0, 0, 0), 5)
    lines = scene.read_text(img)
    assert lines and "HAPPY" in lines[0][0].upper()
    clue = scene.text_clues(lines)[0]
    assert clue.id == "T1" and any(t.startswith("lex:") or t.endswith("_words") for t in clue.tags)
