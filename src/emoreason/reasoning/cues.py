"""The cue-tag vocabulary fusion reads, and what each tag says about emotion.

Perception stages put machine-readable tags on their clues (``Clue.tags``). This module is
the single source of truth for the tags reasoning understands: :data:`FACE_TAGS`,
:data:`VOICE_TAGS`, :data:`TEXT_TAGS`, :data:`BODY_TAGS`, :data:`SCENE_TAGS` (name → meaning)
and the prefixed families ``expr:<class>`` (a face expression classifier's class, e.g.
``expr:happy``), ``lex:<category>`` (an NRC-style lexicon category, e.g. ``lex:anger``),
``sentiment:<polarity>`` and ``AU<n>`` / ``au:AU<n>`` (a FACS action unit).

Each tag maps to weights over emotion :class:`~emoreason.reasoning.vocabulary.Family` in [0, 1]
plus a valence and an arousal push. Weights follow FACS/EMFACS for the face (AU12 smile →
happiness, AU4 + AU24 → anger, AU1+2 + AU5 + AU26 → surprise, AU15 → sadness, AU9 → disgust)
and the vocal-affect literature for prosody (Scherer 2003; Juslin & Laukka 2003: loud, fast,
high and variable pitch → anger/joy; slow, low, flat, pausing → sadness; trembling, high
pitch → fear/anxiety). Tags nobody knows are ignored and reported, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from emoreason.reasoning.vocabulary import Family

F = Family


@dataclass(frozen=True)
class CueSpec:
    """What one tag means for fusion."""

    meaning: str
    weights: dict[Family, float] = field(default_factory=dict)
    valence: float = 0.0
    arousal: float = 0.0


def _c(meaning: str, valence: float = 0.0, arousal: float = 0.0, **weights: float) -> CueSpec:
    return CueSpec(meaning, {Family(k): v for k, v in weights.items()}, valence, arousal)


#: Face tags (geometric AU estimates and head/gaze cues).
FACE_TAGS: dict[str, CueSpec] = {
    "smile": _c("lip corners pulled up (AU12)", 0.7, 0.3, happy=0.9),
    "cheek_raise": _c("cheeks raised, Duchenne smile (AU6)", 0.5, 0.3, happy=0.5),
    "frown": _c("brows lowered and drawn together (AU4)", -0.5, 0.3, angry=0.55, sad=0.25, worried=0.35),
    "brow_raise": _c("brows raised (AU1+AU2)", 0.0, 0.5, surprise=0.6, worried=0.2, doubt=0.15),
    "inner_brow_raise": _c("inner brows raised (AU1)", -0.4, 0.1, sad=0.45, worried=0.4),
    "eyes_widen": _c("upper lids raised, eyes widened (AU5)", -0.1, 0.7, surprise=0.6, fear=0.45),
    "lid_tighten": _c("lids tightened (AU7)", -0.4, 0.4, angry=0.45, disgust=0.15),
    "lip_press": _c("lips pressed together (AU24)", -0.4, 0.3, angry=0.5, worried=0.2, doubt=0.1),
    "lip_tighten": _c("lips tightened (AU23)", -0.4, 0.4, angry=0.5),
    "lip_corner_depress": _c("lip corners pulled down (AU15)", -0.6, -0.2, sad=0.7, disgust=0.15),
    "chin_raise": _c("chin raised (AU17)", -0.4, 0.0, sad=0.35, doubt=0.15, angry=0.1),
    "nose_wrinkle": _c("nose wrinkled (AU9)", -0.6, 0.3, disgust=0.8),
    "upper_lip_raise": _c("upper lip raised (AU10)", -0.5, 0.3, disgust=0.6, contempt=0.2),
    "dimpler": _c("unilateral lip-corner tightening (AU14)", -0.3, 0.1, contempt=0.6),
    "lip_stretch": _c("lips stretched horizontally (AU20)", -0.6, 0.6, fear=0.6, worried=0.3),
    "jaw_drop": _c("jaw dropped (AU26/AU27)", 0.0, 0.6, surprise=0.6, fear=0.15),
    "mouth_open": _c("lips parted (AU25)", 0.0, 0.3, surprise=0.2),
    "eyes_closed": _c("eyes closed (AU43)", -0.1, -0.4, sad=0.2),
    "gaze_averted": _c("gaze averted from the interlocutor", -0.2, 0.0, worried=0.25, sad=0.15),
    "head_down": _c("head lowered", -0.3, -0.3, sad=0.3, worried=0.2),
    "neutral_face": _c("no expression change from the face's neutral baseline", 0.0, -0.3, neutral=0.6),
}

#: Voice tags (prosody relative to the speaker or to population norms).
VOICE_TAGS: dict[str, CueSpec] = {
    "loud": _c("loud or rising loudness", -0.2, 0.8, angry=0.5, happy=0.15, surprise=0.1),
    "shout": _c("shouting", -0.5, 0.9, angry=0.75),
    "soft": _c("soft, quiet voice", -0.2, -0.5, sad=0.35, worried=0.15),
    "fast": _c("fast speaking rate", 0.0, 0.6, angry=0.3, happy=0.15, worried=0.25),
    "slow": _c("slow speaking rate", -0.3, -0.5, sad=0.45),
    "raised_pitch": _c("pitch raised above the speaker's baseline", 0.0, 0.6,
                       surprise=0.35, fear=0.25, happy=0.2, angry=0.2),
    "low_pitch": _c("low pitch", -0.3, -0.4, sad=0.35),
    "pitch_variable": _c("wide, expressive pitch range", 0.2, 0.6, happy=0.3, surprise=0.25, angry=0.2),
    "flat": _c("flat, monotone pitch", -0.1, -0.6, neutral=0.4, sad=0.3),
    "trembling": _c("trembling voice: jitter/shimmer above baseline", -0.5, 0.5,
                    fear=0.45, worried=0.5, sad=0.35),
    "pauses": _c("long or frequent pauses", -0.2, -0.3, sad=0.3, worried=0.3, doubt=0.2),
    "breathy": _c("breathy voice, low HNR", -0.2, -0.2, sad=0.25, worried=0.2),
    "laugh": _c("laughter", 0.8, 0.6, happy=0.9),
    "sigh": _c("sigh", -0.4, -0.3, sad=0.45, worried=0.3),
    "cry": _c("crying or sobbing", -0.9, 0.4, sad=0.9),
    "stutter": _c("stuttering or repeated syllables", -0.3, 0.5, worried=0.5, fear=0.2),
    "steady": _c("steady, even voice", 0.0, -0.4, neutral=0.45),
    "rising_pitch": _c("pitch rising through or at the end of a phrase", 0.0, 0.4,
                       surprise=0.3, doubt=0.3, worried=0.1),
    "tense": _c("tense, pressed voice (HNR below the speaker's baseline)", -0.4, 0.5,
                angry=0.4, worried=0.3),
}

#: Tags that mark what kind of clue it is, carrying no emotion by themselves (not warned about).
STRUCTURAL_TAGS: frozenset[str] = frozenset({"peak_frame"})

#: Text tags (lexical and discourse cues in what is said).
TEXT_TAGS: dict[str, CueSpec] = {
    "negative_words": _c("negative sentiment words", -0.6, 0.1, sad=0.35, angry=0.35, worried=0.2),
    "positive_words": _c("positive sentiment words", 0.6, 0.2, happy=0.6),
    "contrast": _c("contrastive connective (but, although, however)", -0.1, 0.1, doubt=0.15),
    "rhetorical_question": _c("rhetorical question", -0.4, 0.5, angry=0.45, doubt=0.25, contempt=0.2),
    "question": _c("question", 0.0, 0.3, surprise=0.3, doubt=0.35),
    "exclamation": _c("exclamation", 0.0, 0.6, surprise=0.3, angry=0.2, happy=0.15),
    "negated_positive": _c("negated positive word (not happy, don't like)", -0.5, 0.1,
                           sad=0.35, angry=0.3),
    "negated_negative": _c("negated negative word (not bad)", 0.3, 0.0, neutral=0.2, happy=0.2),
    "intensifier": _c("intensifier (so, very, really)", 0.0, 0.4),
    "hedging": _c("hedging (maybe, I guess)", -0.1, -0.1, doubt=0.4, worried=0.2),
    "profanity": _c("profanity or insult", -0.7, 0.8, angry=0.7, contempt=0.3),
    "accusation": _c("blaming the listener (you always, it's your fault)", -0.6, 0.6,
                     angry=0.65, contempt=0.25),
    "complaint": _c("complaint", -0.5, 0.4, angry=0.45, sad=0.2),
    "apology": _c("apology", -0.3, 0.0, sad=0.3, worried=0.3),
    "gratitude": _c("thanks", 0.6, 0.1, happy=0.55),
    "plea": _c("pleading or urging (please, hurry)", -0.3, 0.5, worried=0.5),
    "uncertainty": _c("not knowing (I don't know)", -0.2, 0.1, doubt=0.35, worried=0.25),
    "repetition": _c("repeated words (I, I, I)", -0.2, 0.5, worried=0.35, angry=0.1),
    "self_reference": _c("speaker talks about themself", 0.0, 0.0),
}

#: Body tags (pose and hands), read by optional stages.
BODY_TAGS: dict[str, CueSpec] = {
    "gesture": _c("expressive hand gestures", 0.0, 0.5, angry=0.15, happy=0.1),
    "pointing": _c("pointing at someone", -0.4, 0.6, angry=0.45),
    "hands_on_hips": _c("hands on hips", -0.3, 0.3, angry=0.3, worried=0.2),
    "head_shake": _c("head shaking", -0.3, 0.3, angry=0.2, doubt=0.25, sad=0.1),
    "nod": _c("nodding", 0.2, 0.0, neutral=0.2, happy=0.1),
    "lean_forward": _c("leaning forward", 0.0, 0.4, angry=0.15, surprise=0.1),
    "slumped": _c("slumped posture", -0.4, -0.5, sad=0.4),
    "fidget": _c("fidgeting hands", -0.3, 0.4, worried=0.45),
    # still-image pose and hand rules (emoreason.images.body)
    "arms_raised": _c("arms raised above the shoulders", 0.4, 0.8, happy=0.45, surprise=0.3),
    "arms_open": _c("arms held wide open", 0.4, 0.5, happy=0.4, surprise=0.2),
    "arms_crossed": _c("arms crossed", -0.3, 0.1, angry=0.25, doubt=0.2, worried=0.15),
    "hand_on_face": _c("hand held to the face", -0.3, 0.1, worried=0.3, sad=0.25, doubt=0.15),
    "fist": _c("clenched fist", -0.3, 0.7, angry=0.45, happy=0.1),
    "thumbs_up": _c("thumbs-up", 0.6, 0.3, happy=0.55),
    "thumbs_down": _c("thumbs-down", -0.5, 0.3, angry=0.25, contempt=0.3, sad=0.1),
    "v_sign": _c("V sign", 0.6, 0.4, happy=0.5),
    "open_palm": _c("open palm shown", 0.1, 0.3, surprise=0.1),
}

#: Scene tags: no offline stage emits them yet; accepted from user-supplied scene models.
SCENE_TAGS: dict[str, CueSpec] = {
    "music": _c("background music", 0.0, 0.0),
    "dark_scene": _c("dim lighting", -0.1, -0.2),
    "crowd": _c("several people present", 0.0, 0.1),
    "together": _c("two people share the picture", 0.0, 0.0),
    "vivid_colours": _c("bright, vivid colours", 0.15, 0.2),
}

#: Face-classifier classes (``expr:<class>``; FER2013 order plus MERR's extra classes).
EXPR_TAGS: dict[str, CueSpec] = {
    "expr:happy": _c("classifier: happy face", 0.8, 0.4, happy=1.0),
    "expr:sad": _c("classifier: sad face", -0.7, -0.3, sad=0.8, worried=0.2),
    "expr:angry": _c("classifier: angry face", -0.7, 0.7, angry=0.8, sad=0.1),
    "expr:fear": _c("classifier: fearful face", -0.7, 0.7, fear=0.6, worried=0.5),
    "expr:surprise": _c("classifier: surprised face", 0.1, 0.8, surprise=0.9),
    "expr:disgust": _c("classifier: disgusted face", -0.7, 0.3, disgust=0.8, angry=0.2),
    "expr:neutral": _c("classifier: neutral face", 0.0, -0.3, neutral=0.8),
    "expr:contempt": _c("classifier: contempt", -0.5, 0.2, contempt=0.8),
}

#: NRC emotion-lexicon categories (``lex:<category>``) and sentiment polarity tags.
LEXICON_TAGS: dict[str, CueSpec] = {
    "lex:anger": _c("anger words", -0.7, 0.7, angry=0.7),
    "lex:anticipation": _c("anticipation words", 0.2, 0.4, worried=0.15, happy=0.15, surprise=0.1),
    "lex:disgust": _c("disgust words", -0.7, 0.3, disgust=0.55, angry=0.2, contempt=0.2),
    "lex:fear": _c("fear words", -0.7, 0.6, fear=0.4, worried=0.5),
    "lex:joy": _c("joy words", 0.8, 0.4, happy=0.75),
    "lex:sadness": _c("sadness words", -0.7, -0.3, sad=0.7),
    "lex:surprise": _c("surprise words", 0.1, 0.7, surprise=0.6),
    "lex:trust": _c("trust words", 0.5, 0.0, happy=0.2, neutral=0.1),
    "lex:positive": _c("positive words", 0.5, 0.1, happy=0.4),
    "lex:negative": _c("negative words", -0.5, 0.1, sad=0.25, angry=0.25, worried=0.15),
    "sentiment:positive": _c("positive sentence sentiment", 0.6, 0.1, happy=0.45),
    "sentiment:negative": _c("negative sentence sentiment", -0.6, 0.1, sad=0.3, angry=0.3, worried=0.2),
    "sentiment:neutral": _c("neutral sentence sentiment", 0.0, -0.2, neutral=0.35),
}

#: FACS action unit → face tag (so ``AU12`` and ``au:AU12`` both read as ``smile``).
AU_TAGS: dict[str, str] = {
    "AU1": "inner_brow_raise", "AU2": "brow_raise", "AU4": "frown", "AU5": "eyes_widen",
    "AU6": "cheek_raise", "AU7": "lid_tighten", "AU9": "nose_wrinkle", "AU10": "upper_lip_raise",
    "AU12": "smile", "AU14": "dimpler", "AU15": "lip_corner_depress", "AU17": "chin_raise",
    "AU20": "lip_stretch", "AU23": "lip_tighten", "AU24": "lip_press", "AU25": "mouth_open",
    "AU26": "jaw_drop", "AU27": "jaw_drop", "AU43": "eyes_closed",
}

#: Tags that mark a clue without saying anything about emotion (known, so not reported).
MARKER_TAGS: dict[str, CueSpec] = {
    "peak_frame": _c("the clip's expression peak (MERR)"),
    "blink": _c("blink"),
    "lip_suck": _c("lips sucked in (AU28)"),
    "interjection": _c("interjection"),
    "irony": _c("positive word used ironically", -0.4, 0.4, angry=0.35, contempt=0.35),
    "incredulity": _c("incredulous exclamation", -0.1, 0.6, surprise=0.55, doubt=0.35),
}

#: Every plain or prefixed tag fusion understands, with its meaning.
CUES: dict[str, CueSpec] = {
    **FACE_TAGS, **VOICE_TAGS, **TEXT_TAGS, **BODY_TAGS, **SCENE_TAGS, **EXPR_TAGS, **LEXICON_TAGS, **MARKER_TAGS,
}

#: ``interjection:<feeling>`` tags (text stage): feeling → (family, weight, valence, arousal).
INTERJECTIONS: dict[str, CueSpec] = {
    "interjection:dismay": _c("interjection of dismay ('oh no')", -0.5, 0.5, worried=0.55, sad=0.2),
    "interjection:surprise": _c("interjection of surprise ('wow')", 0.1, 0.7, surprise=0.55),
    "interjection:disgust": _c("interjection of disgust ('ugh')", -0.6, 0.3, disgust=0.5),
    "interjection:anger": _c("angry interjection ('damn')", -0.6, 0.7, angry=0.5),
    "interjection:sadness": _c("sad interjection ('alas')", -0.6, -0.3, sad=0.5),
    "interjection:joy": _c("joyful interjection ('yay')", 0.8, 0.6, happy=0.55),
    "interjection:amusement": _c("laughing interjection ('haha')", 0.7, 0.5, happy=0.5),
    "interjection:pain": _c("interjection of pain ('ouch')", -0.6, 0.5, sad=0.35),
    "interjection:embarrassment": _c("embarrassed interjection ('oops')", -0.3, 0.4, worried=0.4),
    "interjection:confusion": _c("puzzled interjection ('huh')", -0.2, 0.3, doubt=0.5),
    "interjection:contempt": _c("contemptuous interjection ('hmph')", -0.5, 0.3, contempt=0.5),
    "interjection:disapproval": _c("disapproving interjection ('tsk')", -0.4, 0.2, contempt=0.4, angry=0.2),
    "interjection:realisation": _c("interjection of realisation ('ah')", 0.0, 0.2),
}
CUES.update(INTERJECTIONS)

#: The names perception stages should emit (the contract in one constant).
EXPECTED_TAGS: frozenset[str] = frozenset(CUES) | frozenset(AU_TAGS)

_ALIASES: dict[str, str] = {
    "brow_lower": "frown", "brows_lowered": "frown", "furrowed_brow": "frown", "smiling": "smile",
    "laughing": "laugh", "laughter": "laugh", "quiet": "soft", "monotone": "flat",
    "high_pitch": "raised_pitch", "tremble": "trembling", "tremor": "trembling", "shaky": "trembling",
    "slow_rate": "slow", "fast_rate": "fast", "crying": "cry", "sob": "cry", "sighing": "sigh",
    "lip_corner_pull": "smile", "eye_widen": "eyes_widen", "pressed_lips": "lip_press",
    "expr:happiness": "expr:happy", "expr:sadness": "expr:sad", "expr:anger": "expr:angry",
    "expr:surprised": "expr:surprise", "expr:fearful": "expr:fear", "expr:disgusted": "expr:disgust",
    "lex:joyful": "lex:joy", "lex:sad": "lex:sadness", "lex:angry": "lex:anger",
    "wide_pitch_range": "pitch_variable", "long_pause": "pauses", "hesitant": "pauses",
    "intensified": "intensifier", "stammer": "repetition", "surprise_words": "lex:surprise",
}

_AU_RE = re.compile(r"^(?:au:)?au0*(\d+)(?:_[rc])?$", re.IGNORECASE)

#: Phrases in a clue's description that stand for a tag, used only when a clue carries no
#: known tag (early or third-party perception that writes descriptions but no tags).
DESCRIPTION_KEYWORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.IGNORECASE), tag)
    for p, tag in (
        (r"\bsmil\w*|\bgrin\w*", "smile"),
        (r"\blaugh\w*", "laugh"),
        (r"\bfrown\w*|\bfurrow\w*|brows? (?:lowered|drawn)", "frown"),
        (r"(?:raised|lifted) (?:eye)?brows?|(?:eye)?brows? (?:raised|lifted)", "brow_raise"),
        (r"wide[- ]?(?:open )?eyes|eyes? widen\w*|widen\w* eyes", "eyes_widen"),
        (r"(?:pressed|tight) lips|lips? (?:pressed|tighten\w*)", "lip_press"),
        (r"(?:mouth|lip) corners? (?:down|depress\w*)|downturned mouth", "lip_corner_depress"),
        (r"nose wrinkl\w*|wrinkl\w* (?:the |his |her )?nose", "nose_wrinkle"),
        (r"\bjaw drop\w*|mouth (?:falls |hangs )?open", "jaw_drop"),
        (r"\btrembl\w*|\bquiver\w*|\bshaky\b", "trembling"),
        (r"\bshout\w*|\byell\w*|\bscream\w*", "shout"),
        (r"\bloud\w*", "loud"),
        (r"\bquiet\w*|\bsoft(?:ly)?\b|\bwhisper\w*", "soft"),
        (r"\bfast\b|\bquick(?:ly)?\b|\brapid\w*", "fast"),
        (r"\bslow\w*", "slow"),
        (r"(?:high|raised|rising)[- ]pitch\w*|pitch (?:rises|raised)", "raised_pitch"),
        (r"\bmonoton\w*|\bflat\b", "flat"),
        (r"\bpaus\w*|\bhesitat\w*", "pauses"),
        (r"\bsigh\w*", "sigh"),
        (r"\bcry\w*|\bcries\b|\bsob\w*|\btears?\b", "cry"),
        (r"\bneutral (?:face|expression)|\bno (?:visible )?expression", "neutral_face"),
    )
)


def normalise_tag(tag: str) -> str | None:
    """The known tag `tag` stands for (case, AU codes and aliases folded), or None."""
    key = tag.strip()
    match = _AU_RE.match(key)
    if match:
        return AU_TAGS.get(f"AU{int(match.group(1))}")
    key = key.lower().replace(" ", "_").replace("-", "_") if ":" not in key else key.lower()
    if key.startswith("expression:"):  # the face stage's classifier prefix
        key = "expr:" + key.split(":", 1)[1]
    key = _ALIASES.get(key, key)
    return key if key in CUES else None


def tags_from_description(description: str) -> list[str]:
    """Tags whose phrases occur in a clue description (fallback for untagged clues)."""
    found: list[str] = []
    for pattern, tag in DESCRIPTION_KEYWORDS:
        if pattern.search(description) and tag not in found:
            found.append(tag)
    if "shout" in found and "loud" in found:
        found.remove("loud")
    return found
