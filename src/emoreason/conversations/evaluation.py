"""Evaluation helpers of the conversation path (used by ``benchmarks/eval_converse.py`` and tests).

* :func:`predict_file` — run ``converse`` on a benchmark file and write SemEval-2024 Task 3
  predictions, to be scored by the existing ``ecac-subtask1``, ``ecac-subtask2`` and
  ``ecf1-pairs`` tasks;
* :func:`emotion_scores` — utterance emotion accuracy / weighted F1 with and without context;
* :func:`ecem_hypotheses` + :func:`caption_scores` — ECEM explanation generation on the
  committed split by dialogue (the gold emotion is given, as in ECEM; causes are predicted).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from emoreason.conversations.analyse import embed
from emoreason.conversations.api import converse
from emoreason.conversations.model import DialogueHeads, predict_causes, predict_span
from emoreason.conversations.records import CauseLink, CauseSpan, Dialogue, Utterance
from emoreason.conversations.render import semeval_json
from emoreason.conversations.writers import ExplainRequest


def predict_file(source: str | Path, out: str | Path, *, heads: DialogueHeads, context: bool = True) -> Path:
    """SemEval-format predictions of every conversation in `source` (text only, template writer)."""
    analyses = converse(source, heads=heads, context=context, cache=True)
    out = Path(out)
    out.write_text(semeval_json(analyses), encoding="utf-8")
    return out


def emotion_scores(conversations: list, heads: DialogueHeads) -> dict[str, float]:
    """Accuracy and weighted F1 of the in-context head and of the same head without context (argmax)."""
    from sklearn.metrics import accuracy_score, f1_score

    from emoreason.conversations.model import emotion_probabilities
    from emoreason.conversations.records import MELD_EMOTIONS

    gold: list[int] = []
    guesses: dict[str, list[int]] = {"context": [], "no_context": []}
    for conv in conversations:
        texts, speakers = [u.text for u in conv.utterances], [u.speaker for u in conv.utterances]
        vectors = embed(texts, heads.encoder, cache=True)
        gold += [MELD_EMOTIONS.index(u.emotion) if u.emotion in MELD_EMOTIONS else 0 for u in conv.utterances]
        for key, context in (("context", True), ("no_context", False)):
            guesses[key] += emotion_probabilities(heads, vectors, speakers, context=context,
                                                  texts=texts).argmax(1).tolist()
    out = {}
    for key, guess in guesses.items():
        out[f"accuracy_{key}"] = float(accuracy_score(gold, guess))
        out[f"weighted_f1_{key}"] = float(f1_score(gold, guess, average="weighted"))
    out["majority_accuracy"] = float(np.mean(np.asarray(gold) == 0))
    return out


def _dialogue_of(conv: object) -> Dialogue:
    return Dialogue(conversation_id=conv.id, format="ecac-json",  # type: ignore[attr-defined]
                    utterances=[Utterance(utterance_id=u.index, speaker=u.speaker, text=u.text)
                                for u in conv.utterances])  # type: ignore[attr-defined]


def ecem_hypotheses(data_root: str | Path, heads: DialogueHeads, writer: object, *, part: str = "test",
                    limit: int | None = None) -> tuple[list[str], list[str], list[str]]:
    """(record ids, references, explanations) of the ECEM records of `part` that have an ECF dialogue."""
    from emoreason.conversations.ecem import committed_split, ecf_index, load_ecem, meld_key
    from emoreason.tasks.loaders.ecf import read_ecac_conversations
    from emoreason.training.dialogue_data import ECAC_TRAIN

    conversations, _ = read_ecac_conversations(Path(data_root) / ECAC_TRAIN)
    by_id = {c.id: c for c in conversations}
    index, wanted = ecf_index(data_root), committed_split()[part]
    ids, refs, hyps = [], [], []
    vectors_of: dict[str, np.ndarray] = {}
    for rec in load_ecem(data_root):
        if rec.id not in wanted or (limit is not None and len(ids) >= limit):
            continue
        found = index.get(meld_key(rec.video) or "")
        if found is None or found[0] not in by_id:
            continue
        dialogue = _dialogue_of(by_id[found[0]])
        pos = next((k for k, u in enumerate(dialogue.utterances) if u.utterance_id == found[1]), None)
        if pos is None:
            continue
        texts, speakers = [u.text for u in dialogue.utterances], [u.speaker for u in dialogue.utterances]
        if dialogue.conversation_id not in vectors_of:
            vectors_of[dialogue.conversation_id] = embed(texts, heads.encoder, cache=True)
        vectors = vectors_of[dialogue.conversation_id]
        causes = predict_causes(heads, vectors, speakers, texts, pos, rec.emotion) if rec.emotion != "neutral" else []
        links, spans = [], []
        for j, score in causes:
            u = dialogue.utterances[j]
            links.append(CauseLink(utterance_id=u.utterance_id, score=round(score, 4), speaker=u.speaker))
            span = predict_span(heads, u.text, pos - j, rec.emotion)
            if span is not None:
                spans.append(CauseSpan(utterance_id=u.utterance_id, start=span[0], end=span[1],
                                       text=" ".join(u.text.split()[span[0]:span[1]]), score=round(span[2], 4)))
        request = ExplainRequest(dialogue=dialogue, position=pos, emotion=rec.emotion, causes=links, spans=spans)
        ids.append(rec.id)
        refs.append(rec.reference)
        hyps.append(writer.write(request).text)  # type: ignore[attr-defined]
    return ids, refs, hyps


def caption_scores(references: Sequence[str], hypotheses: Sequence[str], *, bertscore: bool = True) -> dict[str, float]:
    """BLEU-4, METEOR, ROUGE-L, CIDEr (pycocoevalcap conventions, PTB tokens) and local BERTScore F1."""
    from emoreason.metrics.caption.tokenize import Tokenizer, tokenize
    from emoreason.metrics.registry import resolve_metric

    refs, hyps = tokenize(list(references), Tokenizer.PTB), tokenize(list(hypotheses), Tokenizer.PTB)
    ref_lists = [[r] for r in refs]
    out = {"bleu_4": resolve_metric("bleu_4")(ref_lists, hyps)[3].value}  # type: ignore[operator,index]
    for name in ("meteor", "rouge_l", "cider"):
        out[name] = resolve_metric(name)(ref_lists, hyps).value  # type: ignore[operator,union-attr]
    if bertscore:
        out["bertscore_f1_minilm"] = resolve_metric("bertscore_f1")(list(references), list(hypotheses)).value  # type: ignore[operator,union-attr]
    return out
