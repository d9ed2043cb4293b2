"""Dialogue grounding guard: an explanation may cite only utterances, speakers and words of its dialogue.

Checked claims:

* **utterance references** (``utterance 3``, ``u3``, ``[u3]``, ``turn 3``): the id must exist in
  the dialogue and may not lie after the explained utterance's next turn;
* **quotations** (text in straight or curly quotes, ≥ 2 words): must occur in one of the
  dialogue's utterances (case, spacing and punctuation ignored);
* **names** (capitalised words inside a sentence): must be a speaker or a word of the dialogue
  (pronouns, emotion words and common sentence words are exempt);
* **clip clues** (``[F2]``, ``face-1a2b3c4d``): must be a clue cited in this utterance's evidence.
"""

from __future__ import annotations

import re

from emoreason.conversations.records import Dialogue
from emoreason.records import GroundingViolation

_REF = re.compile(r"\b(?:utterances?|turns?|u)\s?#?(\d+)\b|\[u(\d+)\]", re.I)
_QUOTE = re.compile(r"[\"“”]([^\"“”]{3,}?)[\"“”]")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]{2,})\b")
_CLUE = re.compile(r"\[([A-Z]\d+)\]|\b((?:face|voice|text|scene|body)-[0-9a-f]{8})\b")
_EXEMPT = frozenset("""The This That There Then They Their When What Which While Because Since After Before
His Her She He It Its And But Not Yes Okay Well Oh Hey Wow Reason Surprise Anger Joy Sadness Fear Disgust
Neutral Happy Sad Angry Scared Surprised Disgusted Calm On In At By For With From Clip Face Voice Also""".split())


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def utterance_refs(text: str) -> list[int]:
    """Utterance ids an explanation refers to, in order."""
    return [int(a or b) for a, b in _REF.findall(text)]


def check_explanation(text: str, dialogue: Dialogue, position: int,
                      clue_ids: frozenset[str] = frozenset()) -> list[GroundingViolation]:
    """Violations of the rules above for the explanation of utterance at `position` (0-based)."""
    ids = [u.utterance_id for u in dialogue.utterances]
    latest = ids[min(position + 1, len(ids) - 1)] if ids else 0
    violations = []
    for m in _REF.finditer(text):
        ref = int(m.group(1) or m.group(2))
        if ref not in ids:
            violations.append(GroundingViolation(kind="utterance", claim=m.group(0), start=m.start(), end=m.end(),
                                                 detail=f"utterance {ref} is not in conversation "
                                                        f"{dialogue.conversation_id}"))
        elif ids.index(ref) > ids.index(latest):
            violations.append(GroundingViolation(kind="utterance", claim=m.group(0), start=m.start(), end=m.end(),
                                                 detail=f"utterance {ref} comes after the explained one"))
    corpus = " \n ".join(_norm(u.text) for u in dialogue.utterances)
    for m in _QUOTE.finditer(text):
        quoted = _norm(m.group(1))
        if len(quoted.split()) >= 2 and quoted not in corpus:
            violations.append(GroundingViolation(kind="quote", claim=m.group(0), start=m.start(), end=m.end(),
                                                 detail="quoted words are not in this dialogue"))
    known = {w for u in dialogue.utterances for w in _norm(f"{u.speaker} {u.text}").split()}
    for m in _NAME.finditer(text):
        word = m.group(1)
        if word not in _EXEMPT and word.lower() not in known and word.lower().rstrip("s") not in known:
            violations.append(GroundingViolation(kind="name", claim=word, start=m.start(), end=m.end(),
                                                 detail=f"{word!r} is neither a speaker nor a word of this dialogue"))
    for m in _CLUE.finditer(text):
        ref = m.group(1) or m.group(2)
        if ref not in clue_ids:
            violations.append(GroundingViolation(kind="clue", claim=m.group(0), start=m.start(), end=m.end(),
                                                 detail=f"clue {ref} is not in this utterance's clip evidence"))
    return violations
