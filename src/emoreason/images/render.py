"""Plain-text and Markdown renderings of an :class:`InterpretResult`."""

from __future__ import annotations

from emoreason.images.records import InterpretResult, PersonReading


def _feelings(person: PersonReading, top: int = 3) -> str:
    line = ", ".join(f"{e.label} {e.score:.2f}" for e in person.emotions[:top]) or "undetermined"
    return line + (f" (valence {person.valence:+.2f})" if person.valence is not None else "")


def _person_line(person: PersonReading) -> str:
    seen = []
    if person.face is not None:
        f = person.face
        top = f"{f.top_expression} {f.expression.get(f.top_expression, 0):.2f}" if f.top_expression else "-"
        seen.append(f"face: {top}; AUs {', '.join(f.active_aus) or '-'}")
    if person.body is not None and person.body.visible:
        seen.append(f"body: {', '.join([*person.body.posture, *person.body.gestures]) or 'no marked posture'}")
    return f"{person.id} ({person.position}): {_feelings(person)} — {'; '.join(seen) or 'nothing read'}"


def _header(result: InterpretResult) -> list[str]:
    s = result.scene
    out = [f"{result.path} ({s.width}×{s.height}; {s.layout}; method {result.method}"
           + (f", {result.model}" if result.model else "") + ")"]
    if result.question:
        out.append(f"Question: {result.question}")
    return out


def to_text(result: InterpretResult) -> str:
    """People, triggers (the numbered answer), clues and what could not be read."""
    lines = [*_header(result), ""]
    emotions = ", ".join(f"{e.label} {e.score:.2f}" for e in result.emotions[:5]) or "undetermined"
    lines.append(f"Emotions: {emotions}" + (f" (valence {result.valence:+.2f})" if result.valence is not None else ""))
    if result.people:
        lines += ["", "People:", *[f"  {_person_line(p)}" for p in result.people]]
    lines += ["", "Triggers:"]
    for t in result.triggers:
        cites = f" [{', '.join(t.evidence)}]" if t.evidence else ""
        lines.append(f"  {t.number}. ({t.kind.value}) {t.text}.{cites}")
    if result.scene.text:
        lines += ["", "Text in the image:", *[f"  {line}" for line in result.scene.text]]
    if result.clues:
        lines += ["", "Clues:", *[f"  {c.id:<10} {c.modality.value:<5} {c.strength:.2f}  {c.description}"
                                  for c in result.clues]]
    extra = [*result.not_read, *result.notes]
    if result.fallback_reason:
        extra.append(result.fallback_reason)
    extra += [f"grounding: {v.claim!r} — {v.detail}" for v in result.violations]
    if extra:
        lines += ["", "Not read / notes:", *[f"  {n}" for n in extra]]
    return "\n".join(lines) + "\n"


def to_markdown(result: InterpretResult) -> str:
    """Markdown report with a people table and the numbered triggers."""
    name = result.path.rsplit("/", 1)[-1]
    out = [f"# {name}", "", f"*{'; '.join(_header(result))}*", "", "## People", ""]
    out += ["| id | where | emotions | face | body |", "|---|---|---|---|---|"]
    for p in result.people:
        face = f"{p.face.top_expression}; {', '.join(p.face.active_aus)}" if p.face else "not visible"
        body = ", ".join([*p.body.posture, *p.body.gestures]) if p.body and p.body.visible else "-"
        out.append(f"| {p.id} | {p.position} | {_feelings(p)} | {face} | {body or '-'} |")
    out += ["", "## Triggers", ""]
    out += [f"{t.number}. **{t.kind.value}** {t.text}." + (f" *({', '.join(t.evidence)})*" if t.evidence else "")
            for t in result.triggers]
    notes = [*result.not_read, *result.notes, *([result.fallback_reason] if result.fallback_reason else [])]
    if notes:
        out += ["", "## Not read", "", *[f"- {n}" for n in notes]]
    return "\n".join(out) + "\n"
