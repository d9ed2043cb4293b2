"""One canonical emotion vocabulary, and mapping tables to each dataset's label set.

Every label emoreason emits is a canonical :class:`EmotionTerm`: a lower-case word (the
form OV-MERD annotators use, e.g. ``angry``, ``worried``, ``dissatisfied``) with a coarse
:class:`Family`, a valence and an arousal in [-1, 1], and the word forms that normalise to
it (``anger``, ``angrily`` and ``mad`` all mean ``angry``).

Closed label sets of the field are reached through :func:`map_label`, by family:

========== ==========================================================================
LabelSet    labels
========== ==========================================================================
MER6        neutral, happy, sad, angry, worried, surprise (MER2023/2024)
MER9        MER6 + fear, contempt, doubt (Emotion-LLaMA's MERR)
EKMAN7      anger, disgust, fear, happiness, sadness, surprise, neutral (6 basic + neutral,
            the FER2013 convention of face classifiers)
MELD7       anger, disgust, fear, joy, neutral, sadness, surprise
SENTIMENT3  positive, negative, neutral (by the term's valence, threshold ±0.15)
========== ==========================================================================

The open vocabulary covers the level-1/2 words of the five emotion wheels used by the
OV-MER / AffectGPT emotion-wheel metrics and the most frequent OV-MERD ground-truth labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache


class Family(str, Enum):
    """Coarse emotion families: the nine MERR classes plus disgust."""

    NEUTRAL = "neutral"
    HAPPY = "happy"
    SAD = "sad"
    ANGRY = "angry"
    WORRIED = "worried"
    SURPRISE = "surprise"
    FEAR = "fear"
    DISGUST = "disgust"
    CONTEMPT = "contempt"
    DOUBT = "doubt"


class LabelSet(str, Enum):
    """Closed label sets of the field that canonical labels map onto."""

    MER6 = "mer6"
    MER9 = "mer9"
    EKMAN7 = "ekman7"
    MELD7 = "meld7"
    SENTIMENT3 = "sentiment3"


@dataclass(frozen=True)
class EmotionTerm:
    """One canonical open-vocabulary emotion label."""

    label: str
    family: Family
    valence: float
    arousal: float
    forms: tuple[str, ...] = ()


F = Family
# (label, family, valence, arousal, other word forms). The first entry of each family is its
# head label: the word fusion uses for the family itself.
_TERMS: tuple[tuple[str, Family, float, float, str], ...] = (
    ("neutral", F.NEUTRAL, 0.0, -0.2, "neutrality,no emotion,unemotional"),
    ("calm", F.NEUTRAL, 0.15, -0.6, "calmness,calmly,composed,peaceful,serene,steady,"
                                    "safe,secure,present,grounded,focused,attentive,aware"),
    ("serious", F.NEUTRAL, -0.1, 0.1, "seriousness,seriously,solemn,stern"),
    ("thoughtful", F.NEUTRAL, 0.0, -0.2, "pensive,thinking,contemplation,contemplative,reflective"),
    ("indifferent", F.NEUTRAL, -0.1, -0.5, "indifference,apathetic,detached,don't care,"
                                           "distant,avoidance,avoiding,withdrawn"),
    ("bored", F.NEUTRAL, -0.3, -0.7, "boredom,boring"),
    ("happy", F.HAPPY, 0.8, 0.4, "happiness,happily,glad"),
    ("joyful", F.HAPPY, 0.9, 0.6, "joy,joyous,joyfully"),
    ("excited", F.HAPPY, 0.8, 0.8, "excitement,exciting,thrilled,elated,energetic,vibrant,creative"),
    ("delighted", F.HAPPY, 0.9, 0.6, "delight,delightful"),
    ("pleased", F.HAPPY, 0.7, 0.2, "pleasure,pleasurable,pleasant,pleasantly"),
    ("satisfied", F.HAPPY, 0.6, 0.0, "satisfaction,content,contented,fulfilled,accepted,"
                                     "acceptance,appreciated,respected,valued,important,successful"),
    ("relaxed", F.HAPPY, 0.5, -0.5, "relaxation,relax,at ease"),
    ("relieved", F.HAPPY, 0.5, -0.3, "relief"),
    ("amused", F.HAPPY, 0.7, 0.5, "amusement,amusing,laughing"),
    ("humorous", F.HAPPY, 0.6, 0.4, "humor,humour,joking,funny"),
    ("playful", F.HAPPY, 0.6, 0.5, "naughty,cheeky,silly"),
    ("teasing", F.HAPPY, 0.4, 0.4, "tease,teased,banter"),
    ("self-deprecating", F.HAPPY, 0.1, 0.2, "self-deprecation,self-mocking"),
    ("friendly", F.HAPPY, 0.6, 0.2, "friendliness,warm,kind,caring,care,connected,"
                                    "intimate,nurturing,protective,trusting,faithful,loyal"),
    ("cheerful", F.HAPPY, 0.8, 0.5, "cheer,cheery,lively"),
    ("proud", F.HAPPY, 0.7, 0.4, "pride,proudly"),
    ("grateful", F.HAPPY, 0.7, 0.1, "gratitude,thankful,appreciative,appreciate"),
    ("hopeful", F.HAPPY, 0.5, 0.2, "hope,optimistic,looking forward,looking forward to"),
    ("confident", F.HAPPY, 0.5, 0.3, "confidence,assured,determined,determination,powerful,courageous,brave,genius"),
    ("enthusiastic", F.HAPPY, 0.8, 0.7, "enthusiasm,eager,passionate"),
    ("loving", F.HAPPY, 0.8, 0.3, "love,affectionate,tender,sensuous,embodied,pity,sympathy,sympathetic"),
    ("sad", F.SAD, -0.7, -0.4, "sadness,sadly,unhappy,sorrow,sorrowful"),
    ("disappointed", F.SAD, -0.6, -0.2, "disappointment,let down"),
    ("heartbroken", F.SAD, -0.9, 0.2, "heartbreak,grief,grieving,breakdown"),
    ("helpless", F.SAD, -0.7, -0.2, "helplessness,powerless"),
    ("depressed", F.SAD, -0.8, -0.6, "depression,dejected,despair,hopeless"),
    ("lonely", F.SAD, -0.6, -0.4, "loneliness,isolated,abandoned"),
    ("hurt", F.SAD, -0.7, 0.2, "pain,painful,wounded,rejected,lost,loss,in my feelings"),
    ("wronged", F.SAD, -0.6, 0.3, "aggrieved,unfairness,misunderstood"),
    ("melancholy", F.SAD, -0.5, -0.5, "melancholic,nostalgic,nostalgia,wistful"),
    ("regretful", F.SAD, -0.6, -0.1, "regret,remorse,remorseful"),
    ("guilty", F.SAD, -0.6, 0.1, "guilt,ashamed,shame,self-blame"),
    ("tired", F.SAD, -0.3, -0.7, "weary,exhausted,fatigued,sleepy,unmotivated,burnt out"),
    ("angry", F.ANGRY, -0.7, 0.8, "anger,angrily,mad"),
    ("jealous", F.ANGRY, -0.5, 0.5, "jealousy,envious,envy"),
    ("annoyed", F.ANGRY, -0.5, 0.5, "annoyance,irritated,irritation"),
    ("frustrated", F.ANGRY, -0.6, 0.5, "frustration,frustrating"),
    ("furious", F.ANGRY, -0.9, 0.9, "fury,rage,enraged,infuriated,outraged"),
    ("dissatisfied", F.ANGRY, -0.5, 0.3, "dissatisfaction,discontent,displeased,displeasure"),
    ("impatient", F.ANGRY, -0.4, 0.6, "impatience"),
    ("hostile", F.ANGRY, -0.8, 0.7, "hostility,aggressive,threatening,provoked,provocation,hateful,hate,defensive"),
    ("resentful", F.ANGRY, -0.6, 0.4, "resentment,bitter,bitterness,salty,selfish"),
    ("accusatory", F.ANGRY, -0.6, 0.6, "accusation,accuse,accusing,blame,blaming,reproach"),
    ("complaining", F.ANGRY, -0.4, 0.4, "complain,complaint"),
    ("indignant", F.ANGRY, -0.6, 0.6, "indignation,offended"),
    ("agitated", F.ANGRY, -0.5, 0.8, "agitation,heated,intense"),
    ("worried", F.WORRIED, -0.5, 0.4, "worry,worrying,worries"),
    ("anxious", F.WORRIED, -0.6, 0.6, "anxiety,anxiously"),
    ("nervous", F.WORRIED, -0.5, 0.6, "nervousness,nervously,jittery"),
    ("concerned", F.WORRIED, -0.3, 0.3, "concern"),
    ("tense", F.WORRIED, -0.5, 0.6, "tension,strained"),
    ("uneasy", F.WORRIED, -0.4, 0.4, "unease,uncomfortable,unsettled"),
    ("stressed", F.WORRIED, -0.6, 0.6, "stress,pressure,pressured,overwhelmed,busy,challenged,bad"),
    ("embarrassed", F.WORRIED, -0.4, 0.5, "embarrassment,awkward,self-conscious,shy,bashful,humiliated"),
    ("insecure", F.WORRIED, -0.5, 0.3, "insecurity,vulnerable,fragile,weak,submissive,"
                                       "insignificant,inadequate,inferior,not good enough,worthless"),
    ("urgent", F.WORRIED, -0.3, 0.7, "urgency,hurried,rushed"),
    ("surprised", F.SURPRISE, 0.1, 0.8, "surprise,surprising,surprisedly"),
    ("astonished", F.SURPRISE, 0.2, 0.8, "astonishment,amazed,amazement,in awe,awe"),
    ("shocked", F.SURPRISE, -0.3, 0.9, "shock,stunned,startled"),
    ("curious", F.SURPRISE, 0.3, 0.4, "curiosity,interested,interest,inquisitive"),
    ("fearful", F.FEAR, -0.8, 0.7, "fear,afraid,scared,frightened"),
    ("terrified", F.FEAR, -0.9, 0.9, "terror,horrified,horror"),
    ("panicked", F.FEAR, -0.8, 0.9, "panic,alarmed"),
    ("threatened", F.FEAR, -0.7, 0.6, "threat,unsafe"),
    ("disgusted", F.DISGUST, -0.7, 0.3, "disgust,disgusting,revolted,repulsed,grossed out,repelled,awful"),
    ("appalled", F.DISGUST, -0.7, 0.6, "dismayed,dismay"),
    ("contemptuous", F.CONTEMPT, -0.6, 0.2, "contempt,scornful,scorn,disdain,disdainful"),
    ("sarcastic", F.CONTEMPT, -0.4, 0.4, "sarcasm,ironic,irony,mocking,mockery,sardonic"),
    ("disapproving", F.CONTEMPT, -0.5, 0.3, "disapproval,critical,criticism,judgmental"),
    ("dismissive", F.CONTEMPT, -0.4, 0.1, "dismissal,refuse,refusal"),
    ("doubtful", F.DOUBT, -0.2, 0.2, "doubt,doubting,dubious,skeptical,sceptical,suspect"),
    ("questioning", F.DOUBT, -0.2, 0.3, "question,questions,inquiring"),
    ("suspicious", F.DOUBT, -0.3, 0.3, "suspicion,distrustful"),
    ("confused", F.DOUBT, -0.3, 0.3, "confusion,puzzled,perplexed,bewildered"),
    ("hesitant", F.DOUBT, -0.2, 0.1, "hesitation,hesitating,reluctant,unsure,uncertain"),
)

#: Family → label in each closed label set.
LABEL_MAPS: dict[LabelSet, dict[Family, str]] = {
    LabelSet.MER6: {
        F.NEUTRAL: "neutral", F.HAPPY: "happy", F.SAD: "sad", F.ANGRY: "angry",
        F.WORRIED: "worried", F.SURPRISE: "surprise", F.FEAR: "worried", F.DISGUST: "angry",
        F.CONTEMPT: "angry", F.DOUBT: "surprise",
    },
    LabelSet.MER9: {
        F.NEUTRAL: "neutral", F.HAPPY: "happy", F.SAD: "sad", F.ANGRY: "angry",
        F.WORRIED: "worried", F.SURPRISE: "surprise", F.FEAR: "fear", F.DISGUST: "contempt",
        F.CONTEMPT: "contempt", F.DOUBT: "doubt",
    },
    LabelSet.EKMAN7: {
        F.NEUTRAL: "neutral", F.HAPPY: "happiness", F.SAD: "sadness", F.ANGRY: "anger",
        F.WORRIED: "fear", F.SURPRISE: "surprise", F.FEAR: "fear", F.DISGUST: "disgust",
        F.CONTEMPT: "disgust", F.DOUBT: "surprise",
    },
    LabelSet.MELD7: {
        F.NEUTRAL: "neutral", F.HAPPY: "joy", F.SAD: "sadness", F.ANGRY: "anger",
        F.WORRIED: "fear", F.SURPRISE: "surprise", F.FEAR: "fear", F.DISGUST: "disgust",
        F.CONTEMPT: "disgust", F.DOUBT: "surprise",
    },
}

#: The labels of each closed set, in the order the field lists them.
LABEL_SET_LABELS: dict[LabelSet, tuple[str, ...]] = {
    LabelSet.MER6: ("neutral", "angry", "happy", "sad", "worried", "surprise"),
    LabelSet.MER9: ("neutral", "angry", "happy", "sad", "worried", "surprise", "fear", "contempt", "doubt"),
    LabelSet.EKMAN7: ("anger", "disgust", "fear", "happiness", "sadness", "surprise", "neutral"),
    LabelSet.MELD7: ("anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise"),
    LabelSet.SENTIMENT3: ("positive", "negative", "neutral"),
}

SENTIMENT_THRESHOLD = 0.15

_NORMALISE = re.compile(r"[^a-z' -]+")


def normalise_word(word: str) -> str:
    """Lower-case `word`, unify apostrophes and hyphen spacing, squeeze blanks."""
    text = word.strip().lower().replace("\u2019", "'").replace("_", " ")
    text = _NORMALISE.sub(" ", text)
    return " ".join(text.split()).replace(" - ", "-")


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, EmotionTerm], dict[str, str], dict[Family, EmotionTerm]]:
    terms: dict[str, EmotionTerm] = {}
    forms: dict[str, str] = {}
    heads: dict[Family, EmotionTerm] = {}
    for label, family, valence, arousal, other in _TERMS:
        extra = tuple(f for f in (normalise_word(x) for x in other.split(",")) if f)
        term = EmotionTerm(label, family, valence, arousal, extra)
        terms[label] = term
        heads.setdefault(family, term)
        forms.setdefault(label, label)
        for form in extra:
            forms.setdefault(form, label)
    return terms, forms, heads


def vocabulary() -> list[EmotionTerm]:
    """All canonical terms, heads of families first within each family."""
    return list(_tables()[0].values())


def canonical(word: str) -> EmotionTerm | None:
    """The canonical term `word` (any listed form, any case) stands for, or None."""
    terms, forms, _ = _tables()
    key = normalise_word(word)
    label = forms.get(key)
    if label is None and key.endswith("ly"):
        label = forms.get(key[:-2])
    return terms[label] if label is not None else None


def head(family: Family) -> EmotionTerm:
    """The head term of `family` (e.g. ``angry`` for :attr:`Family.ANGRY`)."""
    return _tables()[2][family]


def term(label: str) -> EmotionTerm:
    """The canonical term called `label`.

    Raises:
        KeyError: `label` is not a canonical label (use :func:`canonical` for word forms).
    """
    return _tables()[0][label]


def map_label(word: str, label_set: LabelSet) -> str | None:
    """Map any emotion word to the label `label_set` uses for it; None when unknown."""
    found = canonical(word)
    if found is None:
        key = normalise_word(word)
        if key in LABEL_SET_LABELS.get(label_set, ()):
            return key
        return None
    if label_set is LabelSet.SENTIMENT3:
        if found.valence > SENTIMENT_THRESHOLD:
            return "positive"
        return "negative" if found.valence < -SENTIMENT_THRESHOLD else "neutral"
    return LABEL_MAPS[label_set][found.family]
