"""Transcript → text :class:`Clue` records, each carrying the matched words and their time span.

Time spans: a word's own times when the transcript has them (ASR, word-timed subtitles);
otherwise the sentence's share of its segment, laid along the detected speech inside the
segment (characters are spread over speech time, pauses are skipped), so an untimed
subtitle that spans the whole clip still gets sentence-level times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from emoreason.perception.text.lexicon import (
    INTERJECTIONS,
    NRC_EMOTIONS,
    SentenceCues,
    analyse_sentence,
    split_sentences,
    tokenize,
)
from emoreason.records import Clue, Evidence, Modality, Transcript, TranscriptSegment

SOURCE = "emoreason.text.lexical"
#: Every tag a text clue can carry; 'lex:<emotion>' uses the NRC emotions and 'interjection:<feeling>'
#: the feelings of lexicon.INTERJECTIONS.
TEXT_TAGS = frozenset({
    *(f"lex:{e}" for e in NRC_EMOTIONS), *(f"interjection:{f}" for f in set(INTERJECTIONS.values())),
    "intensified", "negated_positive", "negated_negative", "irony", "positive_words", "negative_words",
    "rhetorical_question", "incredulity", "surprise_words", "contrast", "exclamation", "hedging",
    "uncertainty", "repetition", "stammer", "interjection",
})
NEGATIVE_COMPOUND = -0.3
POSITIVE_COMPOUND = 0.3


@dataclass(frozen=True)
class SpeechTimeline:
    """Maps a fraction of a segment's text onto time, skipping pauses between speech spans."""

    start: float
    end: float
    speech: tuple[tuple[float, float], ...] = ()

    def at(self, fraction: float) -> float:
        """Time at `fraction` (0..1) of the segment's speech."""
        spans = [(max(a, self.start), min(b, self.end)) for a, b in self.speech if b > self.start and a < self.end]
        total = sum(b - a for a, b in spans)
        if total <= 0:
            return self.start + fraction * (self.end - self.start)
        left = fraction * total
        for a, b in spans:
            if left <= b - a:
                return a + left
            left -= b - a
        return spans[-1][1]


def _word_times(seg: TranscriptSegment, tokens_in_seg: list[str]) -> list[tuple[float, float] | None]:
    """Times of each alphabetic token of the segment from its timed words (None when unknown)."""
    words = [w for w in seg.words if w.start is not None and w.end is not None]
    out: list[tuple[float, float] | None] = [None] * len(tokens_in_seg)
    j = 0
    for i, tok in enumerate(tokens_in_seg):
        for k in range(j, min(len(words), j + 3)):
            if tokenize(words[k].text)[:1] == [tok]:
                out[i] = (float(words[k].start), float(words[k].end))
                j = k + 1
                break
    return out


@dataclass
class _Sentence:
    cues: SentenceCues
    start: float
    end: float
    word_times: list[tuple[float, float] | None]

    def span_of(self, indices: Sequence[int]) -> tuple[float, float]:
        """Span of the given token indices (word times when known, else the sentence)."""
        alpha = {tok_i: k for k, tok_i in enumerate(i for i, t in enumerate(self.cues.tokens) if t[0].isalpha())}
        n = len(self.word_times)
        found = [self.word_times[alpha[i]] for i in indices if alpha.get(i, n) < n]
        times = [t for t in found if t is not None]
        if not times:
            return self.start, self.end
        return min(t[0] for t in times), max(t[1] for t in times)


def _sentences(transcript: Transcript, speech: Sequence[tuple[float, float]], duration: float) -> list[_Sentence]:
    out = []
    for seg in transcript.segments:
        text = seg.text.strip()
        if not text:
            continue
        start = seg.start if seg.start is not None else 0.0
        end = seg.end if seg.end is not None else max(duration, start)
        line = SpeechTimeline(start, end, tuple(speech))
        seg_tokens = [t for t in tokenize(text) if t[0].isalpha()]
        times = _word_times(seg, seg_tokens) if seg.words else [None] * len(seg_tokens)
        used = 0
        for a, b, sentence in split_sentences(text):
            cues = analyse_sentence(sentence)
            n = sum(1 for t in cues.tokens if t[0].isalpha())
            own = times[used : used + n]
            used += n
            known = [t for t in own if t is not None]
            if known:
                s0, s1 = known[0][0], known[-1][1]
            else:
                s0, s1 = line.at(a / max(len(text), 1)), line.at(b / max(len(text), 1))
            out.append(_Sentence(cues, round(s0, 3), round(max(s1, s0), 3), own))
    return out


def _clue(sent: _Sentence, text: str, tags: list[str], strength: float, words: Sequence[tuple[str, int]],
          extra: Sequence[Evidence] = (), scale: float = 1.0) -> Clue:
    start, end = sent.span_of([i for _, i in words]) if words else (sent.start, sent.end)
    evidence = [Evidence(name="word", value=w, time=sent.span_of([i])[0]) for w, i in words]
    evidence.append(Evidence(name="sentence", value=sent.cues.text))
    evidence += list(extra)
    return Clue(modality=Modality.TEXT, description=text, start=start, end=end, tags=tags, source=SOURCE,
                strength=round(min(1.0, max(0.05, strength * scale)), 3), evidence=evidence)


def _q(words: Sequence[str]) -> str:
    return ", ".join(f"'{w}'" for w in dict.fromkeys(words))


def sentence_clues(sent: _Sentence, scale: float = 1.0) -> list[Clue]:
    """All text clues of one sentence."""
    c = sent.cues
    out: list[Clue] = []
    vader = Evidence(name="vader_compound", value=round(c.compound, 3))
    emotions = c.emotions
    if emotions:
        top = sorted(emotions.items(), key=lambda kv: -len(kv[1]))
        words = [(m.word, m.index) for m in c.emotion_words if set(m.emotions) & set(emotions)]
        names = "/".join(e for e, _ in top[:3])
        boost = 0.15 if c.intensified else 0.0
        out.append(_clue(sent, f"words of {names}: {_q([w for w, _ in words])}", [f"lex:{e}" for e, _ in top]
                         + (["intensified"] if c.intensified else []), 0.35 + 0.1 * len(words) + boost, words,
                         [vader], scale))
    for m in c.negated:
        positive = "positive" in m.emotions or "joy" in m.emotions
        kind = "negated_positive" if positive else "negated_negative"
        how = "used ironically in a rhetorical question" if m.modifier == "rhetorical question" else "negated"
        out.append(_clue(sent, f"{how}: '{m.modifier} … {m.word}'" if how == "negated" else f"'{m.word}' {how}",
                         [kind] + (["irony"] if how != "negated" else []), 0.6, [(m.word, m.index)], [vader], scale))
    if c.compound <= NEGATIVE_COMPOUND or c.compound >= POSITIVE_COMPOUND:
        neg = c.compound < 0
        if not (not neg and (c.negated or c.rhetorical)):  # VADER misses irony and long-range negation
            out.append(_clue(sent, f"{'negative' if neg else 'positive'} wording (VADER {c.compound:+.2f})",
                             ["negative_words" if neg else "positive_words"], abs(c.compound), [], [vader], scale))
    if c.rhetorical:
        out.append(_clue(sent, f"rhetorical question: '{c.rhetorical}?'", ["rhetorical_question"], 0.7, [], [vader],
                         scale))
    elif c.incredulous:
        out.append(_clue(sent, f"incredulous exclamation: '{c.text}'", ["incredulity", "surprise_words"], 0.6, [],
                         [], scale))
    if c.contrast:
        shift = Evidence(name="sentiment_shift", value=c.contrast_shift)
        strength = 0.5 + min(0.5, abs(c.contrast_shift) / 2)
        out.append(_clue(sent, f"contrast ('{c.contrast}'): {c.text}", ["contrast"], strength, [], [shift], scale))
    if c.exclamation:
        out.append(_clue(sent, f"exclamation: '{c.text}'", ["exclamation"], 0.5, [], [], scale))
    if c.hedges:
        out.append(_clue(sent, f"hesitant wording: {_q(c.hedges)}", ["hedging", "uncertainty"], 0.45, [], [], scale))
    if c.repeated:
        idx = [(w, i) for i, w in enumerate(c.tokens) if w in c.repeated]
        out.append(_clue(sent, f"stammers, repeating {_q(c.repeated)}", ["repetition", "stammer"], 0.55, idx, [],
                         scale))
    for word, feeling in c.interjections.items():
        out.append(_clue(sent, f"interjection '{word}' ({feeling})", ["interjection", f"interjection:{feeling}"],
                         0.55, [], [], scale))
    return out


def lexical_clues(
    transcript: Transcript,
    *,
    speech: Sequence[tuple[float, float]] = (),
    duration: float = 0.0,
    scale: float = 1.0,
) -> list[Clue]:
    """Text clues of a transcript (English), in time order.

    Args:
        transcript: the words; untimed segments span [0, duration].
        speech: detected speech spans, used to place sentences of untimed or long segments.
        duration: clip length in seconds.
        scale: multiplies every strength (e.g. < 1 for an unreliable ASR transcript).
    """
    clues = [c for sent in _sentences(transcript, speech, duration) for c in sentence_clues(sent, scale)]
    return sorted(clues, key=lambda c: (c.start, c.end))


def is_english(transcript: Transcript) -> bool:
    """Whether the lexical cues apply: language 'en*' or unknown with mostly ASCII letters."""
    if transcript.language:
        return transcript.language.lower().startswith("en")
    letters = [ch for ch in transcript.text if ch.isalpha()]
    return bool(letters) and sum(ch.isascii() for ch in letters) / len(letters) >= 0.9
