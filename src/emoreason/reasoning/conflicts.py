"""Cross-modal rules: what fusion does when modalities agree strongly or contradict each other.

The field's hard cases are contradictions between channels: a smiling face over angry words
reads as sarcasm or suppressed anger (EMER's ``sample_00006748``: "I was very happy, now are
you satisfied?" said with a trembling, agitated voice is anger, not happiness); a calm face
over a trembling voice is masked anxiety; a laugh over self-critical words is self-deprecating
humour (OV-MERD's ``sample_00000000``). Each rule reads the tagged clues through a
:class:`CueIndex` and returns a :class:`RuleFinding` naming the clues that fired it, the
family scores it rescales or boosts, and the open-vocabulary labels it adds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from emoreason.reasoning.cues import CueSpec
from emoreason.reasoning.vocabulary import Family
from emoreason.records import Clue, Modality

F = Family

SMILE = frozenset({"smile", "expr:happy", "cheek_raise"})
LAUGH = frozenset({"laugh"})
HOSTILE_WORDS = frozenset({"lex:anger", "accusation", "profanity", "lex:disgust", "complaint"})
POSITIVE_WORDS = frozenset({"lex:joy", "positive_words", "sentiment:positive", "gratitude"})
SELF_CRITICAL_WORDS = frozenset({
    "negative_words", "uncertainty", "negated_positive", "lex:sadness", "apology",
    "sentiment:negative", "lex:negative", "repetition",
})
AGITATED_VOICE = frozenset({"loud", "shout", "trembling", "fast", "stutter"})
ANGRY_FACE = frozenset({"frown", "lip_press", "lip_tighten", "lid_tighten", "expr:angry"})
SHAKY_VOICE = frozenset({"trembling", "stutter"})
SAD_VOICE = frozenset({"sigh", "cry", "trembling"})
LOUD_VOICE = frozenset({"loud", "shout", "fast", "raised_pitch"})
CALM_FACE = frozenset({"neutral_face", "expr:neutral"})
NON_EXPRESSIVE_FACE = CALM_FACE | {"head_down", "gaze_averted", "mouth_open", "eyes_closed"}


@dataclass(frozen=True)
class CueHit:
    """One known tag on one clue."""

    clue: Clue
    tag: str
    spec: CueSpec
    inferred: bool = False  # read from the description, not from the clue's tags

    @property
    def strength(self) -> float:
        """The clue's strength."""
        return self.clue.strength


@dataclass
class CueIndex:
    """The tagged clues of one clip, by modality and tag."""

    hits: list[CueHit]
    face_seen: bool = False  # the face stage read a face (even if it found no clue)

    def best(self, tags: Iterable[str], modality: Modality | None = None) -> CueHit | None:
        """The strongest hit carrying one of `tags` (in `modality`, when given)."""
        wanted = set(tags)
        found = [
            h for h in self.hits
            if h.tag in wanted and (modality is None or h.clue.modality == modality)
        ]
        return max(found, key=lambda h: h.strength, default=None)

    def has_expressive_face(self) -> bool:
        """Whether any face clue carries an expressive (non-neutral) tag."""
        return any(
            h.clue.modality == Modality.FACE and h.tag not in NON_EXPRESSIVE_FACE for h in self.hits
        )


@dataclass
class RuleFinding:
    """What one cross-modal rule concluded."""

    rule: str
    description: str
    drivers: list[str]
    strength: float
    scale: dict[Family, float] = field(default_factory=dict)
    boost: dict[Family, float] = field(default_factory=dict)
    labels: list[tuple[str, float]] = field(default_factory=list)


def _m(hit: CueHit) -> str:
    """The cue's meaning without its FACS code, for prose."""
    return hit.spec.meaning.split(" (")[0].replace("classifier: ", "")


def _pair(a: CueHit, b: CueHit) -> tuple[list[str], float]:
    return [a.clue.id, b.clue.id], min(a.strength, b.strength)


def sarcasm(ix: CueIndex) -> RuleFinding | None:
    """Smiling face (or laughter) with hostile words → sarcasm / masked anger."""
    happy = ix.best(SMILE, Modality.FACE) or ix.best(LAUGH, Modality.VOICE)
    hostile = ix.best(HOSTILE_WORDS | {"rhetorical_question"}, Modality.TEXT)
    if happy is None or hostile is None:
        return None
    if hostile.tag == "rhetorical_question" and ix.best(HOSTILE_WORDS, Modality.TEXT) is None:
        if ix.best(POSITIVE_WORDS, Modality.TEXT) is None:
            return None
    drivers, s = _pair(happy, hostile)
    return RuleFinding(
        "sarcasm", f"{_m(happy)} against {_m(hostile)}: the smile reads as sarcasm or masked anger",
        drivers, s, scale={F.HAPPY: 0.45}, boost={F.ANGRY: 0.45 * s, F.CONTEMPT: 0.5 * s},
        labels=[("sarcastic", 0.85 * s), ("dissatisfied", 0.6 * s)],
    )


def forced_positive(ix: CueIndex) -> RuleFinding | None:
    """Positive words said with a rhetorical question, an agitated voice or an angry face → irony."""
    positive = ix.best(POSITIVE_WORDS, Modality.TEXT)
    if positive is None:
        return None
    if ix.best(SMILE, Modality.FACE) is not None or ix.best(LAUGH, Modality.VOICE) is not None:
        return None
    against = (
        ix.best({"rhetorical_question", "negated_positive", "irony"}, Modality.TEXT)
        or ix.best(AGITATED_VOICE - {"fast"}, Modality.VOICE)
        or ix.best(ANGRY_FACE, Modality.FACE)
    )
    if against is None:
        return None
    drivers, s = _pair(positive, against)
    return RuleFinding(
        "forced_positive", f"{_m(positive)} undercut by {_m(against)}: the words are ironic",
        drivers, s, scale={F.HAPPY: 0.4}, boost={F.ANGRY: 0.5 * s, F.CONTEMPT: 0.3 * s},
        labels=[("sarcastic", 0.7 * s), ("dissatisfied", 0.65 * s)],
    )


def masked_anxiety(ix: CueIndex) -> RuleFinding | None:
    """Calm face with a trembling or stuttering voice → suppressed anxiety."""
    shaky = ix.best(SHAKY_VOICE, Modality.VOICE)
    if shaky is None or ix.has_expressive_face():
        return None
    calm = ix.best(CALM_FACE, Modality.FACE)
    if calm is None and not ix.face_seen:
        return None
    drivers = [shaky.clue.id] + ([calm.clue.id] if calm else [])
    s = shaky.strength
    return RuleFinding(
        "masked_anxiety", f"a calm face over a {_m(shaky)}: anxiety held back",
        drivers, s, scale={F.NEUTRAL: 0.4}, boost={F.WORRIED: 0.5 * s},
        labels=[("nervous", 0.75 * s), ("tense", 0.55 * s)],
    )


def self_deprecating(ix: CueIndex) -> RuleFinding | None:
    """Smile or laughter over self-critical (not hostile) words → self-deprecating humour."""
    happy = ix.best(LAUGH, Modality.VOICE) or ix.best(SMILE, Modality.FACE)
    critical = ix.best(SELF_CRITICAL_WORDS, Modality.TEXT)
    if happy is None or critical is None or ix.best(HOSTILE_WORDS, Modality.TEXT) is not None:
        return None
    drivers, s = _pair(happy, critical)
    return RuleFinding(
        "self_deprecating", f"{_m(happy)} over {_m(critical)}: light, self-deprecating humour",
        drivers, s, scale={F.SAD: 0.6, F.ANGRY: 0.7}, boost={F.HAPPY: 0.2 * s},
        labels=[("self-deprecating", 0.7 * s), ("humorous", 0.6 * s), ("relaxed", 0.4 * s)],
    )


def forced_smile(ix: CueIndex) -> RuleFinding | None:
    """Smile with a sighing, crying or trembling voice → strained, embarrassed smile."""
    smile = ix.best(SMILE, Modality.FACE)
    sad_voice = ix.best(SAD_VOICE, Modality.VOICE)
    if smile is None or sad_voice is None:
        return None
    drivers, s = _pair(smile, sad_voice)
    label = "helpless" if sad_voice.tag in {"cry", "sigh"} else "embarrassed"
    return RuleFinding(
        "forced_smile", f"{_m(smile)} with {_m(sad_voice)}: a strained smile",
        drivers, s, scale={F.HAPPY: 0.55}, boost={F.WORRIED: 0.3 * s, F.SAD: 0.3 * s},
        labels=[(label, 0.7 * s)],
    )


def agitated_anger(ix: CueIndex) -> RuleFinding | None:
    """Angry face corroborated by a loud or fast voice → agitated anger."""
    face = ix.best(ANGRY_FACE, Modality.FACE)
    voice = ix.best(LOUD_VOICE, Modality.VOICE)
    if face is None or voice is None:
        return None
    drivers, s = _pair(face, voice)
    return RuleFinding(
        "agitated_anger", f"{_m(face)} with {_m(voice)}: agitated anger",
        drivers, s, boost={F.ANGRY: 0.35 * s}, labels=[("agitated", 0.6 * s)],
    )


#: The rules, in the order they are applied (later rules see earlier rescaling).
RULES: tuple[Callable[[CueIndex], RuleFinding | None], ...] = (
    sarcasm, forced_positive, masked_anxiety, self_deprecating, forced_smile, agitated_anger,
)


def apply_rules(ix: CueIndex) -> list[RuleFinding]:
    """Run every rule; the findings of those that fired."""
    return [f for f in (rule(ix) for rule in RULES) if f is not None]
