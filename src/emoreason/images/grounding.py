"""The grounding check of a model's answer about an image, against what emoreason measured.

A vision-language model sees the picture, so objects and settings it names cannot be checked
offline; what can be checked is what the face and body readers measured:

* **people count** — "three people", "a group of 6", "alone": a count larger than the people
  found (or "alone" when several were found) is flagged;
* **who smiles** — a sentence that names a person (``P2``) as smiling when that person's face
  shows no smile, or as frowning/crying/sad/angry while their face smiles broadly, is flagged;
  "everyone smiles" / "nobody smiles" are checked against all faces;
* **clue ids** — ``[P1-F2]``-style references must name measured clues.

Violations are advisory (kept in ``result.violations``), as for ``explain``.
"""

from __future__ import annotations

import re

from emoreason.images.records import InterpretResult, PersonReading
from emoreason.records import GroundingViolation

_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "a pair of": 2}
_NOUNS = r"(?:people|persons|men|women|children|kids|friends|girls|boys|individuals|adults|teenagers|faces|figures)"
_COUNT = re.compile(r"\b(\d{1,2}|" + "|".join(_NUMBERS) + r")\s+(?:\w+\s+)?" + _NOUNS + r"\b", re.IGNORECASE)
_GROUP = re.compile(r"\bgroup of\s+(\d{1,2}|" + "|".join(_NUMBERS) + r")\b", re.IGNORECASE)
_ALONE = re.compile(r"\b(?:alone|by (?:him|her|them)sel(?:f|ves)|the only person|on (?:his|her|their) own)\b",
                    re.IGNORECASE)
_SMILE = re.compile(r"\bsmil\w*|\bgrin\w*|\blaugh\w*|\bbeam\w*", re.IGNORECASE)
_NEGATIVE_FACE = re.compile(r"\bfrown\w*|\bscowl\w*|\bcry\w*|\btears?\b|\bsad(?:ly|ness)?\b|\bangry\b|\bupset\b",
                            re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:no|not|never|without|nobody|no one|none|isn't|aren't|doesn't|don't)\b|n't\b",
                       re.IGNORECASE)
_ALL = re.compile(r"\b(?:everyone|everybody|all (?:of them|the people|\d+|five|four|three|two))\b", re.IGNORECASE)
_NOBODY = re.compile(r"\b(?:nobody|no one|none of them)\b", re.IGNORECASE)
_PERSON = re.compile(r"\bP(\d{1,2})\b")
_REF = re.compile(r"\[([A-Za-z0-9][\w-]{0,20})\]")
_CLAUSE = re.compile(r"[^.;!?\n]+")


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word.lower()]


def _smiles(person: PersonReading, result: InterpretResult) -> bool:
    tags = {t for c in result.clues if c.id in person.clue_ids for t in c.tags}
    return bool({"smile", "expression:happiness", "cheek_raise"} & tags)


def _broad_smile(person: PersonReading) -> bool:
    return person.face is not None and (person.face.aus.get("AU12", 0.0) >= 3.0
                                        or person.face.expression.get("happiness", 0.0) >= 0.8)


def _violation(kind: str, claim: str, detail: str, offset: int, match: re.Match[str]) -> GroundingViolation:
    return GroundingViolation(kind=kind, claim=claim, detail=detail, start=offset + match.start(),
                              end=offset + match.end())


def _count_claims(offset: int, clause: str, found: int) -> list[GroundingViolation]:
    out = []
    for pattern in (_COUNT, _GROUP):
        for m in pattern.finditer(clause):
            claimed = _number(m.group(1))
            if claimed > found:
                out.append(_violation("people_count", m.group(0),
                                      f"claims {claimed}, the image reading found {found} people", offset, m))
    m = _ALONE.search(clause)
    if m and found >= 2:
        out.append(_violation("people_count", m.group(0), f"claims one person, found {found}", offset, m))
    return out


def _smile_claims(offset: int, clause: str, result: InterpretResult) -> list[GroundingViolation]:
    out: list[GroundingViolation] = []
    people = {p.id: p for p in result.people}
    faces = [p for p in result.people if p.face is not None]
    smile = _SMILE.search(clause)
    named = [people[f"P{n}"] for n in _PERSON.findall(clause) if f"P{n}" in people]
    if smile and _ALL.search(clause) and faces and not all(_smiles(p, result) for p in faces):
        idle = ", ".join(p.id for p in faces if not _smiles(p, result))
        out.append(_violation("smile", smile.group(0), f"not everyone smiles: no smile measured on {idle}",
                              offset, smile))
    elif smile and _NOBODY.search(clause) and any(_smiles(p, result) for p in faces):
        who = ", ".join(p.id for p in faces if _smiles(p, result))
        out.append(_violation("smile", smile.group(0), f"{who} smile(s) in the measured evidence", offset, smile))
    elif smile and not _NEGATION.search(clause):
        out += [_violation("smile", smile.group(0), f"no smile was measured on {p.id}'s face", offset, smile)
                for p in named if p.face is not None and not _smiles(p, result)]
    negative = _NEGATIVE_FACE.search(clause)
    if negative and not _NEGATION.search(clause) and not smile:
        out += [_violation("smile", negative.group(0), f"{p.id}'s face smiles broadly in the measured evidence",
                           offset, negative) for p in named if _broad_smile(p)]
    return out


def check_answer(text: str, result: InterpretResult) -> list[GroundingViolation]:
    """Grounding violations of `text` (a model's answer) against the reading in `result`."""
    found: list[GroundingViolation] = []
    for m in _CLAUSE.finditer(text):
        clause = m.group(0)
        found += _count_claims(m.start(), clause, result.scene.people_count)
        found += _smile_claims(m.start(), clause, result)
    ids = {c.id for c in result.clues}
    for m in _REF.finditer(text):
        if m.group(1) not in ids and _PERSON.fullmatch(m.group(1)) is None:
            found.append(_violation("clue", m.group(0), f"no clue is called {m.group(1)}", 0, m))
    return sorted(found, key=lambda v: v.start or 0)
