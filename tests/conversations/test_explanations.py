"""Explanation wording, the dialogue grounding guard, and the LLM writer's fallback (fake chat backend)."""

from __future__ import annotations

import pytest

from emoreason.conversations.grounding import check_explanation, utterance_refs
from emoreason.conversations.records import CauseLink, CauseSpan, Dialogue, Utterance
from emoreason.conversations.wording import detokenise, reason_sentence, third_person
from emoreason.conversations.writers import ExplainRequest, LLMWriter, TemplateWriter, first_sentence, make_writer
from emoreason.errors import BackendError, RegistryError
from emoreason.reasoning.llm import ChatCompletion, ChatMessage

DIALOGUE = Dialogue(conversation_id="9", utterances=[
    Utterance(utterance_id=1, speaker="Monica", text="Guess what , Paul asked me out !"),
    Utterance(utterance_id=2, speaker="Joey", text="He finally asked you out ?"),
    Utterance(utterance_id=3, speaker="Monica", text="Yes ."),
])


def test_detokenise_and_third_person() -> None:
    assert detokenise("I do not know , okay ? It is ... fine !") == "I do not know, okay? It is... fine!"
    assert third_person("I am totally naked .", speaker="Zed", listener="Joey") == "Zed is totally naked"
    assert third_person("I am totally naked .", speaker="Chandler", listener="Joey") == "he is totally naked"
    said = third_person("He finally asked you out ?", speaker="Joey", listener="Monica")
    assert said == "he finally asked Monica out"
    assert third_person("Paul , the wine guy", speaker="Ross", listener="Monica", names=frozenset({"Paul"})) == \
        "Paul, the wine guy"
    assert third_person("Oh my God , we won", speaker="Ross", listener=None).endswith("my God, they won")


def test_reason_sentence_shape() -> None:
    text = reason_sentence(speaker="Zed", emotion="surprise", clause="the door opened")
    assert text == "The reason Zed is surprised is that the door opened."


def test_template_writer_uses_the_top_cause_span() -> None:
    request = ExplainRequest(dialogue=DIALOGUE, position=2, emotion="joy",
                             causes=[CauseLink(utterance_id=1, score=0.9), CauseLink(utterance_id=3, score=0.4)],
                             spans=[CauseSpan(utterance_id=1, start=3, end=7, text="Paul asked me out", score=0.8)])
    out = TemplateWriter().write(request)
    assert out.cited_utterances == [1] and "Paul asked" in out.text and out.text.startswith("The reason ")
    assert check_explanation(out.text, DIALOGUE, 2) == []


def test_grounding_flags_foreign_utterances_quotes_names_and_clues() -> None:
    text = 'The reason is utterance 7 and u3, "a dragon ate it", Gandalf said so [F9].'
    kinds = sorted(v.kind for v in check_explanation(text, DIALOGUE, 0))
    # u7 does not exist; u3 comes after the explained turn's next one; the quote, the name and the clue are foreign
    assert kinds == ["clue", "name", "quote", "utterance", "utterance"]
    assert utterance_refs("see [u2] and utterance 1") == [2, 1]
    assert check_explanation('Joey asked "finally asked you out" in u2.', DIALOGUE, 2) == []


class FakeBackend:
    """A chat model that answers with a fixed reply (the writer under test does the rest)."""

    def __init__(self, reply: str | Exception) -> None:
        self.reply = reply
        self.calls: list[list[ChatMessage]] = []

    @property
    def model_id(self) -> str:
        return "fake-model"

    def complete(self, messages: list[ChatMessage], **_: object) -> ChatCompletion:
        self.calls.append(messages)
        if isinstance(self.reply, Exception):
            raise self.reply
        return ChatCompletion(text=self.reply, model=self.model_id)


def _request() -> ExplainRequest:
    return ExplainRequest(dialogue=DIALOGUE, position=2, emotion="joy", causes=[CauseLink(utterance_id=1, score=0.9)])


def test_llm_writer_keeps_a_grounded_sentence() -> None:
    backend = FakeBackend("The reason she's happy is that Paul asked her out. Extra sentence.")
    out = LLMWriter(backend, name="fake", cache=False).write(_request())
    assert out.text == "The reason she's happy is that Paul asked her out." and out.writer == "fake"
    prompt = backend.calls[0][-1].content
    assert "[u1] Monica: Guess what, Paul asked me out!" in prompt and "Likely cause utterances: u1" in prompt
    assert any(m.role == "assistant" for m in backend.calls[0])  # few-shot examples


@pytest.mark.parametrize("reply", ["The reason she's happy is that Gandalf arrived in utterance 12.",
                                   BackendError("connection refused"), ""])
def test_llm_writer_falls_back_to_the_template(reply: str | Exception) -> None:
    out = LLMWriter(FakeBackend(reply), name="fake", cache=False).write(_request())
    assert out.writer == "template" and out.fallback_reason and out.text.startswith("The reason ")
    if isinstance(reply, str) and reply:
        assert {v.kind for v in out.violations} == {"name", "utterance"}


def test_first_sentence_and_unknown_writer() -> None:
    assert first_sentence('Explanation: "He is glad. Really."') == "He is glad."
    assert first_sentence("no full stop") == "no full stop."
    with pytest.raises(RegistryError, match="template"):
        make_writer("gpt-9")
