"""Renderings of dialogue analyses: text, markdown, JSON lines and SemEval-2024 Task 3 predictions."""

from __future__ import annotations

import json

from emoreason.conversations.records import DialogueAnalysis, UtteranceAnalysis


def _emotion_line(row: UtteranceAnalysis) -> str:
    others = ", ".join(f"{e.label} {e.score:.2f}" for e in row.emotions[1:3])
    top = row.emotions[0].score if row.emotions else 0.0
    line = f"{row.emotion} ({row.canonical_emotion}) {top:.2f}; then {others}"
    if row.causes:
        line += " · causes: " + ", ".join(f"u{c.utterance_id} {c.score:.2f}" for c in row.causes)
    return line


def to_text(analysis: DialogueAnalysis) -> str:
    """A plain-text report: each utterance, its emotion, causes, spans and explanation; then the flows."""
    out = [f"Conversation {analysis.conversation_id} ({analysis.format}, {len(analysis.utterances)} utterances)", ""]
    for row in analysis.utterances:
        out.append(f"u{row.utterance_id} {row.speaker}: {row.text}")
        out.append(f"    {_emotion_line(row)}")
        for span in row.spans:
            out.append(f"    cause span u{span.utterance_id} [{span.start}:{span.end}] \"{span.text}\"")
        if row.explanation is not None:
            out.append(f"    {row.explanation.text}")
        for note in row.notes:
            out.append(f"    note: {note}")
    out += ["", "Emotion flow per speaker:"]
    out += [f"    {flow.speaker}: {flow.summary}" for flow in analysis.speakers]
    out += [f"warning: {w}" for w in analysis.warnings]
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(analysis: DialogueAnalysis) -> str:
    """A markdown report with one table row per utterance and the per-speaker flows."""
    out = [f"## Conversation {analysis.conversation_id}", "",
           "| id | speaker | utterance | emotion | causes | cause spans | explanation |",
           "|---|---|---|---|---|---|---|"]
    for row in analysis.utterances:
        causes = ", ".join(f"u{c.utterance_id} ({c.score:.2f})" for c in row.causes)
        spans = "; ".join(f"u{s.utterance_id}: “{s.text}”" for s in row.spans)
        expl = row.explanation.text if row.explanation else ""
        if row.notes:
            expl += " _(" + "; ".join(row.notes) + ")_"
        out.append(f"| u{row.utterance_id} | {_cell(row.speaker)} | {_cell(row.text)} | {row.emotion} "
                   f"{row.emotions[0].score:.2f} | {causes} | {_cell(spans)} | {_cell(expl)} |")
    out += ["", "**Emotion flow per speaker**", ""]
    out += [f"- {_cell(flow.speaker)}: {flow.summary}" for flow in analysis.speakers]
    if analysis.warnings:
        out += ["", "**Warnings**", ""] + [f"- {_cell(w)}" for w in analysis.warnings]
    return "\n".join(out) + "\n\n"


def to_json_line(analysis: DialogueAnalysis) -> str:
    """One analysis as one JSON line."""
    return analysis.model_dump_json() + "\n"


def to_semeval(analysis: DialogueAnalysis) -> dict:
    """The SemEval-2024 Task 3 prediction record of one conversation.

    ``emotion-cause_pairs`` are ``["<utt>_<emotion>", "<cause utt>_<start>_<end>"]``: the
    Subtask-1 scorer reads the token span, the Subtask-2 / ECF scorers the cause utterance.
    """
    conv = analysis.conversation_id
    conv_id: int | str = int(conv) if conv.isdigit() else conv
    pairs = []
    for row in analysis.utterances:
        spans = {s.utterance_id: s for s in row.spans}
        for cause in row.causes:
            span = spans.get(cause.utterance_id)
            tail = f"_{span.start}_{span.end}" if span is not None else ""
            pairs.append([f"{row.utterance_id}_{row.emotion}", f"{cause.utterance_id}{tail}"])
    return {"conversation_ID": conv_id,
            "conversation": [{"utterance_ID": r.utterance_id, "text": r.text, "speaker": r.speaker,
                              "emotion": r.emotion} for r in analysis.utterances],
            "emotion-cause_pairs": pairs}


def semeval_json(analyses: list[DialogueAnalysis]) -> str:
    """A SemEval-2024 Task 3 predictions file (a JSON list) of `analyses`."""
    return json.dumps([to_semeval(a) for a in analyses], ensure_ascii=False) + "\n"
