"""Lexical emotion cues in one English sentence: NRC emotion words, VADER polarity, and the
devices that change what words mean — negation, intensifiers, exclamations, rhetorical and
incredulous questions, contrast ("I was happy, now are you satisfied?"), hesitation and
stammered repetition.

Resources (both ship inside their wheels, nothing is downloaded):

* NRC Emotion Lexicon (``nrclex`` package, ``nrc_en.json``, 6,468 words; Saif Mohammad & Peter
  Turney; free for research, commercial use needs NRC's permission). Read directly; the
  ``NRCLex(text)`` helper is not used (it needs TextBlob corpora).
* VADER (``vaderSentiment``, MIT): sentence polarity, its booster (intensifier) and negation lists.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

NRC_EMOTIONS = ("anger", "anticipation", "disgust", "fear", "joy", "sadness", "surprise", "trust")
NEGATION_SCOPE = 4
_TOKEN = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|[!?.,;:]")
_BOUNDARY = {".", "!", "?", ",", ";", ":", "but", "however", "yet", "although", "though", "now"}
_EXTRA_NEGATORS = {"no", "not", "never", "none", "nobody", "nothing", "neither", "nor", "cannot", "without"}
_CONTRAST = {"but", "however", "yet", "although", "though", "whereas", "instead", "anyway"}
_PAST = {"was", "were", "used", "had", "did"}
_AUX = {"are", "is", "am", "do", "does", "did", "can", "could", "would", "will", "have", "has", "were", "was",
        "should", "shall", "isn't", "aren't", "don't", "didn't", "wasn't", "haven't", "won't", "can't"}
_RHETORICAL_OPENERS = (
    "how could", "how can you", "how dare", "why would", "why should", "why do you always", "who do you think",
    "what's the point", "what is the point", "who cares", "what's wrong with you", "what do you want",
    "what else", "what more", "isn't it", "don't you", "didn't i", "aren't you", "haven't i", "wasn't it",
    "what about",
)
_INCREDULOUS = {"really", "seriously", "what", "impossible", "you're kidding", "are you kidding", "are you serious",
                "is that so", "oh yeah", "you what", "no way"}
_HEDGES = ("i don't know", "i dont know", "maybe", "i guess", "i'm not sure", "perhaps", "i suppose", "um", "uh")
_LEADING = {"now", "so", "then", "well", "oh", "and", "but", "just"}
#: Words the NRC lexicon tags but that carry no emotion in conversation (function words, nouns of time).
_STOP = frozenset({"time", "kind", "like", "well", "feeling", "real", "really", "just", "even", "still", "pretty"})
#: Interjections and the feeling they usually voice.
INTERJECTIONS = {
    "oh no": "dismay", "oh my god": "surprise", "my god": "surprise", "oh my": "surprise", "wow": "surprise",
    "whoa": "surprise", "ugh": "disgust", "yuck": "disgust", "damn": "anger", "dammit": "anger", "alas": "sadness",
    "yay": "joy", "hooray": "joy", "haha": "amusement", "ouch": "pain", "oops": "embarrassment", "ah": "realisation",
    "huh": "confusion", "hmph": "contempt", "tsk": "disapproval",
}


@dataclass
class Match:
    """A word that carries a cue, with its token index in the sentence."""

    word: str
    index: int
    emotions: tuple[str, ...] = ()
    modifier: str | None = None  # "not", "very", … when negated or intensified


@dataclass
class SentenceCues:
    """Everything found in one sentence (tokens are lower-cased words and punctuation)."""

    text: str
    tokens: list[str]
    compound: float = 0.0
    emotion_words: list[Match] = field(default_factory=list)
    negated: list[Match] = field(default_factory=list)
    intensified: list[Match] = field(default_factory=list)
    exclamation: bool = False
    question: bool = False
    rhetorical: str | None = None
    incredulous: bool = False
    contrast: str | None = None
    contrast_shift: float = 0.0
    hedges: list[str] = field(default_factory=list)
    interjections: dict[str, str] = field(default_factory=dict)
    repeated: list[str] = field(default_factory=list)

    @property
    def emotions(self) -> dict[str, list[str]]:
        """NRC emotion → words expressing it (negated words excluded)."""
        out: dict[str, list[str]] = {}
        for m in self.emotion_words:
            for emo in m.emotions:
                if emo in NRC_EMOTIONS:
                    out.setdefault(emo, []).append(m.word)
        return out


@lru_cache(maxsize=1)
def nrc_lexicon() -> dict[str, tuple[str, ...]]:
    """The NRC emotion lexicon shipped in the ``nrclex`` wheel: word → emotions/polarities.

    Raises:
        DependencyError: nrclex is not installed.
    """
    from emoreason.errors import DependencyError

    try:
        raw = resources.files("nrclex.data").joinpath("nrc_en.json").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise DependencyError("lexical cues need the NRC lexicon: pip install --no-deps nrclex") from exc
    return {w.lower(): tuple(v) for w, v in json.loads(raw).items()}


@lru_cache(maxsize=1)
def _vader() -> object:
    from emoreason.errors import DependencyError

    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError as exc:
        raise DependencyError("lexical cues need VADER: pip install vadersentiment") from exc
    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=1)
def _vader_lists() -> tuple[frozenset[str], frozenset[str]]:
    from vaderSentiment.vaderSentiment import BOOSTER_DICT, NEGATE

    boosters = frozenset(k for k, val in BOOSTER_DICT.items() if val > 0 and " " not in k)
    negators = frozenset(NEGATE) | _EXTRA_NEGATORS
    return boosters, negators


def tokenize(text: str) -> list[str]:
    """Lower-cased words (with inner apostrophes) and the punctuation marks ! ? . , ; :."""
    return [t.lower() for t in _TOKEN.findall(text.replace("’", "'"))]


def lookup(word: str, lexicon: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """NRC entry of `word`, trying simple inflection stripping (kicked → kick, crying → cry)."""
    if word in lexicon:
        return lexicon[word]
    for suffix, repl in (("ied", "y"), ("ies", "y"), ("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"),
                         ("es", ""), ("s", ""), ("ly", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)] + repl
            if stem in lexicon:
                return lexicon[stem]
            if len(stem) > 3 and stem[-1] == stem[-2] and stem[:-1] in lexicon:  # stopped → stop
                return lexicon[stem[:-1]]
    return ()


def _negator_before(tokens: list[str], i: int, negators: frozenset[str]) -> str | None:
    """A negator within NEGATION_SCOPE tokens before i, not across a clause boundary."""
    for j in range(i - 1, max(-1, i - 1 - NEGATION_SCOPE), -1):
        if tokens[j] in _BOUNDARY:
            return None
        if tokens[j] in negators or tokens[j].endswith("n't"):
            return tokens[j]
    return None


def _words(cues: SentenceCues, lexicon: dict[str, tuple[str, ...]]) -> None:
    boosters, negators = _vader_lists()
    for i, tok in enumerate(cues.tokens):
        if not tok[0].isalpha() or tok in _STOP or tok in boosters:
            continue
        emos = lookup(tok, lexicon)
        if not emos:
            continue
        neg = _negator_before(cues.tokens, i, negators)
        if neg:
            cues.negated.append(Match(tok, i, emos, neg))
            continue
        boost = cues.tokens[i - 1] if i > 0 and cues.tokens[i - 1] in boosters else None
        if boost:
            cues.intensified.append(Match(tok, i, emos, boost))
        cues.emotion_words.append(Match(tok, i, emos, boost))


def _questions(cues: SentenceCues, lexicon: dict[str, tuple[str, ...]]) -> None:
    low = " ".join(t for t in cues.tokens if t[0].isalpha())
    cues.question = "?" in cues.tokens
    if not cues.question:
        return
    words = [t for t in cues.tokens if t[0].isalpha()]
    if words and (low in _INCREDULOUS or (len(words) <= 3 and any(low.startswith(w) for w in _INCREDULOUS))):
        cues.incredulous = True
        return
    # the clause the question mark closes
    clause: list[str] = []
    for t in reversed(cues.tokens[:-1] if cues.tokens[-1] == "?" else cues.tokens):
        if t in {",", ";", ".", "!", "?", ":"}:
            break
        clause.insert(0, t)
    while clause and clause[0] in _LEADING:
        clause.pop(0)
    if not clause:
        return
    text = " ".join(clause)
    opener = next((o for o in _RHETORICAL_OPENERS if text.startswith(o)), None)
    if opener:
        cues.rhetorical = text
        _ironic(cues, len(cues.tokens) - len(clause) - 1)
        return
    if clause[0] in _AUX and "you" in clause and any(lookup(w, lexicon) for w in clause):
        cues.rhetorical = text
        _ironic(cues, len(cues.tokens) - len(clause) - 1)
        return
    if len(clause) < len(words) and (cues.negated or cues.compound <= -0.3 or cues.exclamation):
        cues.rhetorical = text


def _is_positive(emotions: tuple[str, ...]) -> bool:
    return "positive" in emotions or "joy" in emotions


def _ironic(cues: SentenceCues, first: int) -> None:
    """Positive words inside a rhetorical question are not taken at face value ("are you satisfied?")."""
    keep = []
    for m in cues.emotion_words:
        if m.index >= first and _is_positive(m.emotions):
            cues.negated.append(Match(m.word, m.index, m.emotions, "rhetorical question"))
        else:
            keep.append(m)
    cues.emotion_words = keep


def _contrast(cues: SentenceCues) -> None:
    toks = cues.tokens
    for i, t in enumerate(toks):
        if t in _CONTRAST and i > 0:
            cues.contrast = t
            break
        if t == "now" and i > 0 and any(p in _PAST for p in toks[:i]) and (toks[i - 1] in {",", ";"} or i > 2):
            cues.contrast = "was … now"
            break
    if cues.contrast:
        k = next((i for i, t in enumerate(toks) if t in _CONTRAST or t == "now"), 0)
        before, after = " ".join(toks[:k]), " ".join(toks[k + 1 :])
        vader = _vader()
        first = vader.polarity_scores(before)["compound"]
        second = vader.polarity_scores(after)["compound"]
        if any(m.index > k for m in cues.negated) or cues.rhetorical:
            second = min(second, -0.3)
        cues.contrast_shift = round(second - first, 3)


def analyse_sentence(text: str) -> SentenceCues:
    """Find the lexical cues of one sentence (English)."""
    lexicon = nrc_lexicon()
    cues = SentenceCues(text=text.strip(), tokens=tokenize(text))
    if not cues.tokens:
        return cues
    cues.compound = float(_vader().polarity_scores(text)["compound"])
    cues.exclamation = "!" in cues.tokens
    _words(cues, lexicon)
    _questions(cues, lexicon)
    _contrast(cues)
    low = " " + " ".join(t for t in cues.tokens if t[0].isalpha()) + " "
    cues.incredulous = cues.incredulous or low.startswith((" impossible ", " unbelievable ", " no way "))
    cues.hedges = [h for h in _HEDGES if f" {h} " in low]
    cues.interjections = {k: v for k, v in INTERJECTIONS.items() if low.startswith(f" {k} ") or f" {k} " in low[:30]}
    words = [t for t in cues.tokens if t[0].isalpha()]
    cues.repeated = sorted({w for a, w in zip(words[:-1], words[1:], strict=True) if a == w and len(w) <= 6})
    return cues


_SENTENCE = re.compile(r"[^.!?]+[.!?]*")


def split_sentences(text: str) -> list[tuple[int, int, str]]:
    """(start char, end char, sentence) for each sentence of `text` (ends at . ! ? runs)."""
    out = []
    for m in _SENTENCE.finditer(text):
        if m.group().strip():
            out.append((m.start(), m.end(), m.group().strip()))
    return out
