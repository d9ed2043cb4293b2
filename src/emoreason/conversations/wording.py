"""Turning a cause span into an ECEM-style clause: detokenise, then first/second person → third person.

ECEM (FAME-Net) explanations read "The reason he's surprised is that Rachel was a loopy lady."
The template writer builds such a sentence from the predicted cause span; this module does the
wording only (no model): ECF's tokenised text (``can not`` , ``I am``) is joined back, and
pronouns are shifted to the speaker and listener ("I am fine" said by Ross → "he is fine").
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

ADJECTIVE = {"anger": "angry", "disgust": "disgusted", "fear": "scared", "joy": "happy", "sadness": "sad",
             "surprise": "surprised", "neutral": "calm"}
_NO_SPACE_BEFORE = re.compile(r"\s+([,.!?;:%)\]}'’]|n't\b|'s\b|'re\b|'ve\b|'ll\b|'d\b|'m\b)")
_NO_SPACE_AFTER = re.compile(r"([(\[{])\s+")
_PRONOUNS = {
    "he": {"I": "he", "me": "him", "my": "his", "mine": "his", "myself": "himself"},
    "she": {"I": "she", "me": "her", "my": "her", "mine": "hers", "myself": "herself"},
}
_FIRST_VERB = {"am": "is", "'m": "'s", "have": "has", "'ve": "'s", "do": "does", "was": "was", "were": "was"}
_PLURAL = {"we": "they", "us": "them", "our": "their", "ours": "theirs", "ourselves": "themselves"}
PRONOUN_FILE = Path(__file__).with_name("weights") / "speaker_pronouns.json"


@cache
def speaker_pronouns(path: str = str(PRONOUN_FILE)) -> dict[str, str]:
    """Speaker name → 'he' / 'she', as learned from ECEM training explanations (empty when absent)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return {str(k).lower(): str(v) for k, v in data.get("pronouns", {}).items() if v in ("he", "she")}


def pronoun_of(speaker: str) -> str | None:
    """'he' / 'she' for a known speaker name, else None."""
    return speaker_pronouns().get(speaker.strip().lower())


def detokenise(text: str) -> str:
    """Join ECF/MELD tokenised text back into ordinary spacing."""
    text = " ".join(text.split())
    text = _NO_SPACE_BEFORE.sub(r"\1", text)
    return _NO_SPACE_AFTER.sub(r"\1", text).strip()


def _strip_edges(text: str) -> str:
    return text.strip(" .,!?;:…-—\"'“”")


def third_person(span: str, *, speaker: str, listener: str | None, names: frozenset[str] = frozenset()) -> str:
    """`span` as said by `speaker` to `listener`, restated in the third person.

    `names` (the dialogue's speakers) keep their capital when they open the clause.
    """
    words = [w for w in detokenise(span).replace(" can not ", " cannot ").split() if w not in ('"', "“", "”")]
    sub = _PRONOUNS.get(pronoun_of(speaker) or "", {})
    out: list[str] = []
    first_changed = False
    for k, word in enumerate(words):
        core = word.strip(",.!?;:\"'“”")
        lead, trail = (word[: word.find(core)], word[word.find(core) + len(core):]) if core else ("", "")
        low = core.lower()
        prev = out[-1].lower().strip(",.!?;:") if out else ""
        following = words[k + 1].strip(",.!?;:").lower() if k + 1 < len(words) else ""
        if low == "my" and following in ("god", "gosh", "goodness", "lord"):
            new = core
        elif core == "I" or low in ("me", "my", "mine", "myself"):
            new = sub.get("I" if core == "I" else low) or (speaker if low in ("i", "me") else f"{speaker}'s")
        elif low in _PLURAL:
            new = _PLURAL[low]
        elif low in ("you", "your", "yours", "yourself") and listener:
            new = listener if low in ("you", "yourself") else f"{listener}'s"
        elif low in _FIRST_VERB and prev in ("he", "she", speaker.lower()):
            new = _FIRST_VERB[low]
        else:
            new = core
        first_changed = first_changed or (k == 0 and new != core)
        out.append(f"{lead}{new}{trail}" if core else word)
    clause = _strip_edges(" ".join(out))
    head = clause.split()[0].strip(",.!?;:'’").removesuffix("'s") if clause else ""
    keep_capital = head in names or head in (speaker, listener) or head == "I" or \
        (first_changed and head not in ("He", "She", "They"))
    if clause and not keep_capital:
        clause = clause[0].lower() + clause[1:]
    return clause


def proper_names(speakers: list[str], texts: list[str]) -> frozenset[str]:
    """Speakers plus words written with a capital inside a sentence somewhere in the dialogue."""
    names = {s for s in speakers if s}
    for text in texts:
        tokens = text.split()
        for k, tok in enumerate(tokens[1:], 1):
            word = tok.strip(",.!?;:\"'")
            if word[:1].isupper() and word != "I" and not tokens[k - 1].endswith((".", "!", "?", "...")):
                names.add(word)
    return frozenset(names)


def subject(speaker: str) -> str:
    """How the sentence names the speaker: 'he' / 'she' when known, else the name."""
    return pronoun_of(speaker) or speaker or "the speaker"


def reason_sentence(*, speaker: str, emotion: str, clause: str) -> str:
    """``The reason he's surprised is that <clause>.`` (the speaker's name when no pronoun is known)."""
    who = subject(speaker)
    adjective = ADJECTIVE.get(emotion, emotion)
    verb = "'s" if who in ("he", "she") else " is"
    clause = clause.rstrip(" .") or "of what was just said"
    return f"The reason {who}{verb} {adjective} is that {clause}."
