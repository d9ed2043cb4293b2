"""The vision backend's wire format, CFSA's rounds and the grounding check, against a local server.

No vision model runs here: ``vision_server`` is a real HTTP server on 127.0.0.1 that rejects any
request without base64 JPEG image parts and answers each CFSA step deterministically.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from emoreason.errors import BackendError
from emoreason.images import interpret
from emoreason.images.cfsa import evidence_text
from emoreason.reasoning.backends.vision import VisionBackend, VisionMessage, encode_image
from tests.images.vision_server import TRIGGERS, VisionScript, check_request, serve


@pytest.fixture()
def still(tmp_path: Path) -> Path:
    path = tmp_path / "still.png"
    rgb = np.zeros((90, 120, 3), np.uint8)
    rgb[..., 0] = np.linspace(0, 255, 120, dtype=np.uint8)[None, :]
    Image.fromarray(rgb).save(path)
    return path


def test_message_parts_and_server_check() -> None:
    part = encode_image(np.full((2000, 1000, 3), 128, np.uint8), label="the photo")
    payload = VisionMessage(role="user", text="why?", images=[part]).to_openai()
    assert payload["content"][0] == {"type": "text", "text": "why?"}
    assert payload["content"][1]["image_url"]["url"].startswith("data:image/jpeg;base64,")
    body = {"model": "m", "messages": [payload]}
    assert check_request(body) is None
    assert check_request({"model": "m", "messages": [{"role": "user", "content": "no image"}]}) is not None
    assert "sha256" in part.describe() and len(part.sha256) == 16


def test_cfsa_runs_four_recorded_rounds(still: Path) -> None:
    script = VisionScript()
    with serve(script) as url:
        r = interpret(still, question="What might have caused the person to be happy?", base_url=url,
                      model="qwen-vl", ocr=False)
    assert script.problems == [] and len(script.requests) == 4
    assert r.method == "cfsa" and r.model == f"vision:qwen-vl@{url}"
    assert [x.step for x in r.rounds] == ["coarse", "questions", "answers", "refine"]
    assert all(x.parsed and x.images and "sha256" in x.images[0] for x in r.rounds)
    # general self-ask questions plus the model's own reach the answer step
    answers_prompt = r.rounds[2].prompt
    assert "What might have happened just before" in answers_prompt and "What is P1 looking at?" in answers_prompt
    assert [t.text for t in r.triggers] == [t["text"] for t in TRIGGERS["triggers"]]
    assert r.triggers[1].kind.value == "implicit" and all(t.source == "cfsa" for t in r.triggers)
    assert all(t.evidence == [] for t in r.triggers)  # unknown clue ids and people are dropped (none measured)
    assert r.answer.splitlines()[0] == "1. P1 smiles broadly at the camera."
    kinds = {v.kind for v in r.violations}
    assert "people_count" in kinds  # "Six people" while nobody was found


def test_direct_retries_invalid_json_then_succeeds(still: Path) -> None:
    script = VisionScript(replies=["not json at all", json.dumps(TRIGGERS)])
    with serve(script) as url:
        r = interpret(still, base_url=url, model="m", method="direct", ocr=False)
    assert script.problems == [] and len(r.rounds) == 2
    assert r.rounds[0].error and r.rounds[1].parsed and r.fallback_reason is None
    # the retry carries the bad reply and a request for JSON only, with the image still attached
    assert len(script.requests[1]["messages"]) == 4


def test_model_failure_keeps_offline_answer(still: Path) -> None:
    script = VisionScript(replies=[("status", 400)])
    with serve(script) as url:
        r = interpret(still, base_url=url, model="m", method="direct", ocr=False)
    assert r.fallback_reason and "offline answer is kept" in r.fallback_reason
    assert r.triggers and r.triggers[0].source == "template"


def test_cfsa_stops_on_schema_failure(still: Path) -> None:
    bad = json.dumps({"person": "P1"})  # coarse step without an emotion, twice
    script = VisionScript(replies=[bad, bad])
    with serve(script) as url:
        r = interpret(still, base_url=url, model="m", ocr=False)
    assert "CFSA stopped: coarse" in (r.fallback_reason or "") and len(r.rounds) == 2


def test_backend_needs_a_model(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EMOREASON_VISION_MODEL", "EMOREASON_OPENAI_MODEL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(BackendError, match="model"):
        VisionBackend("http://127.0.0.1:9/v1")


def test_grounding_on_the_group_photo(shared_data: Path) -> None:
    from emoreason.images.grounding import check_answer

    photo = shared_data / "samples" / "multi_face.jpg"
    r = interpret(photo, ocr=False)
    idle = next(p for p in r.people if p.face and p.face.expression.get("happiness", 0) < 0.5)
    smiler = next(p for p in r.people if p.face and p.face.expression.get("happiness", 0) >= 0.9)
    text = (f"1. Everyone is smiling.\n2. {idle.id} smiles at the camera.\n3. {smiler.id} frowns.\n"
            "4. Seven friends pose together.\n5. There are five people at the sea.")
    violations = check_answer(text, r)
    claims = [(v.kind, v.claim.lower()) for v in violations]
    assert ("smile", "smiling") in claims and ("smile", "smiles") in claims and ("smile", "frowns") in claims
    assert ("people_count", "seven friends") in claims
    assert not any("five" in c for _, c in claims)  # five people is what was measured
    assert str(r.scene.people_count) in evidence_text(r)
