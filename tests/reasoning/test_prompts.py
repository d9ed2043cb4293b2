"""The field's prompts: loading by name, variants, and golden snapshots of their rendering.

Update the snapshots after an intended prompt change with
``EMOREASON_UPDATE_SNAPSHOTS=1 python -m pytest tests/reasoning/test_prompts.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from emoreason.errors import RegistryError
from emoreason.reasoning.evidence import EvidenceView
from emoreason.reasoning.fusion import fuse
from emoreason.reasoning.prompting import list_prompts, load_prompt, render
from emoreason.reasoning.structured import parse_answer
from tests.reasoning.factory import sarcastic_request

SNAPSHOTS = Path(__file__).parent / "snapshots"
NAMES = ["emoreason", "emer", "affectgpt", "emotion-llama", "emotion-llama:3"]


def test_shipped_prompts() -> None:
    assert list_prompts() == ["affectgpt", "emer", "emoreason", "emotion-llama"]
    assert load_prompt(None).name == "emoreason"


def test_provenance_is_recorded() -> None:
    assert "2306.15401" in load_prompt("emer").source
    assert "AffectGPT" in load_prompt("affectgpt").source
    assert len(load_prompt("emotion-llama").instructions) == 5


def test_field_prompt_texts() -> None:
    assert "From what clues can we infer the person's emotional state?" in load_prompt("emer").user
    question = "Please infer the person's emotional state and provide your reasoning process."
    assert question in load_prompt("affectgpt").user
    assert load_prompt("emotion-llama:2").instruction.startswith("What is the emotional state of the person")


@pytest.mark.parametrize("name", ["nope", "emotion-llama:9", "emotion-llama:x", "emer:2"])
def test_bad_names_raise_with_choices(name: str) -> None:
    with pytest.raises(RegistryError):
        load_prompt(name)


def _rendered(name: str) -> str:
    req = sarcastic_request()
    rendered = render(load_prompt(name), EvidenceView.of(req), [e.label for e in fuse(req).emotions[:5]])
    lines = [f"### {m.role}\n{m.content}" for m in rendered.messages]
    return f"prompt: {rendered.name}\n\n" + "\n\n".join(lines) + "\n"


@pytest.mark.parametrize("name", NAMES)
def test_golden_snapshot(name: str) -> None:
    path = SNAPSHOTS / f"{name.replace(':', '_')}.txt"
    text = _rendered(name)
    if os.environ.get("EMOREASON_UPDATE_SNAPSHOTS") or not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not os.environ.get("EMOREASON_UPDATE_SNAPSHOTS"):
            pytest.fail(f"snapshot {path.name} was missing and has been written; re-run")
    assert text == path.read_text(encoding="utf-8")


def test_few_shot_answers_are_valid_and_grounded_json() -> None:
    rendered = render(load_prompt("emoreason"), EvidenceView.of(sarcastic_request()), ["angry"])
    answers = [m.content for m in rendered.messages if m.role == "assistant"]
    assert len(answers) == 2
    for a in answers:
        assert list(json.loads(a)) == ["reasoning", "explanation", "emotions", "cited_clues"]  # reason first
        answer, repaired = parse_answer(a)
        assert answer.emotions and not answer.dropped_labels and not repaired


def test_answer_format_sits_in_the_system_text_of_the_default_prompt() -> None:
    spec = load_prompt("emoreason")
    assert '{"reasoning": "<at most 25 words' in spec.system and "{answer_format}" not in spec.system
    assert '"reasoning"' not in spec.user  # the per-clip message holds only the evidence


def test_without_few_shot_and_hash_changes_with_prompt() -> None:
    view = EvidenceView.of(sarcastic_request())
    a = render(load_prompt("emer"), view, ["angry"], few_shot=False)
    b = render(load_prompt("affectgpt"), view, ["angry"], few_shot=False)
    assert [m.role for m in a.messages] == ["system", "user"]
    assert a.prompt_hash != b.prompt_hash
