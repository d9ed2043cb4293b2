"""The grounding guard: every modality, clue and time an explanation mentions must exist.

The guard reads an explanation clause by clause (split at ``.;!?``, commas and ``but``).
A clause that contains a negation (``no``, ``not``, ``without`` …) states an absence and
makes no claim. In every other clause it looks for

* **modality** mentions (``face``, ``voice``, ``tone``, ``subtitle``, ``background`` …): the
  modality must have at least one clue (text also counts when a transcript exists);
* **clue** claims (``smiles``, ``trembling voice``, ``upbeat music``, ``phone`` …): some clue
  must carry a supporting tag or a description matching the same phrase; cited clue ids or
  aliases (``[F1]``, ``face-1a2b3c4d``) must name real clues;
* **times** (``2.3 s``, ``0.4-2.1 s``): the span must overlap a clue span (± 0.3 s) and
  lie inside the clip;
* **quotes** (``"…"``, ``“…”``, ``'…'``): quoted text makes no claim about the clip, but it
  must itself be in the evidence — the transcript or a clue's description — compared
  case- and punctuation-blind, ``…``/``...`` splitting a quote into fragments. A quote found
  nowhere (a small model copying its few-shot example, say) is a ``quote`` violation.

Video-LLaMA's "upbeat background music" and Video-ChatGPT's "phone" (EMER, Figs. 5-6) are
the reference hallucinations; both are caught when no such evidence exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from emoreason.reasoning.evidence import EvidenceView
from emoreason.reasoning.protocol import ReasoningRequest
from emoreason.records import GroundingViolation, Modality

TIME_TOLERANCE = 0.3
_NEGATION = re.compile(
    r"\b(?:no|not|none|never|without|nothing|neither|nor|absent|missing|unavailable|cannot|can't|"
    r"couldn't|could not|isn't|aren't|wasn't|doesn't|didn't|lacks?|lacking)\b|n't\b",
    re.IGNORECASE,
)
_CLAUSE_SPLIT = re.compile(r"[.;!?\n]+|,|\bbut\b|\bwhile\b|\bwhereas\b", re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    """A phrase that asserts something about one modality."""

    pattern: re.Pattern[str]
    modality: Modality
    tags: frozenset[str]
    kind: str  # 'modality' (the channel itself) or 'clue' (a specific observation)


def _claim(pattern: str, modality: Modality, kind: str, *tags: str) -> Claim:
    return Claim(re.compile(pattern, re.IGNORECASE), modality, frozenset(tags), kind)


M = Modality
#: Phrases that claim a specific observation (checked against tags and descriptions).
CLUE_CLAIMS: tuple[Claim, ...] = (
    _claim(r"\bsmil\w*|\bgrin\w*", M.FACE, "clue", "smile", "expr:happy", "cheek_raise"),
    _claim(r"\bfrown\w*|\bfurrow\w*|\bscowl\w*", M.FACE, "clue", "frown", "expr:angry"),
    _claim(r"(?:raised|lifted|raises|lifts) (?:his |her |their )?(?:eye)?brows?|(?:eye)?brows? (?:raised|lifted)",
           M.FACE, "clue", "brow_raise", "inner_brow_raise", "expr:surprise"),
    _claim(r"wide[- ]?(?:open )?eyes|eyes? widen\w*|widen\w* (?:his |her |their )?eyes", M.FACE, "clue",
           "eyes_widen", "expr:surprise", "expr:fear"),
    _claim(r"\btears?\b|\bcry\w*|\bcries\b|\bsob\w*|\bweep\w*", M.VOICE, "clue", "cry"),
    _claim(r"\blaugh\w*|\bchuckl\w*|\bgiggl\w*", M.VOICE, "clue", "laugh"),
    _claim(r"\btrembl\w*|\bquiver\w*|\bshaky\b|\bshaking voice", M.VOICE, "clue", "trembling", "stutter"),
    _claim(r"\bshout\w*|\byell\w*|\bscream\w*", M.VOICE, "clue", "shout", "loud"),
    _claim(r"\bloud\w*", M.VOICE, "clue", "loud", "shout"),
    _claim(r"\bsigh\w*", M.VOICE, "clue", "sigh"),
    _claim(r"\bstutter\w*|\bstammer\w*", M.VOICE, "clue", "stutter", "repetition"),
    _claim(r"\bslow(?:ly|er)?\b", M.VOICE, "clue", "slow"),
    _claim(r"\bsoft(?:ly)?\b|\bquiet(?:ly)?\b|\bwhisper\w*", M.VOICE, "clue", "soft"),
    _claim(r"\bpaus\w*", M.VOICE, "clue", "pauses"),
    _claim(r"\bfast[- ]paced\b|\bquickly\b|\brapid(?:ly)?\b|\bfast\b", M.VOICE, "clue", "fast"),
    _claim(r"(?:high|raised|rising)[- ]pitch\w*", M.VOICE, "clue", "raised_pitch", "pitch_variable"),
    _claim(r"\bmonoton\w*|\bflat (?:voice|tone)\b", M.VOICE, "clue", "flat"),
    _claim(r"(?:corners? of (?:the|his|her) mouth|mouth corners?|lip corners?) (?:pulled |turned )?down|"
           r"downturned mouth", M.FACE, "clue", "lip_corner_depress", "expr:sad"),
    _claim(r"\b(?:pressed|pursed|tight) lips\b|\blips? (?:pressed|pursed)", M.FACE, "clue", "lip_press", "lip_tighten"),
    _claim(r"\bmusic\b|\bsoundtrack\b|\bsong\b|\bmelod\w*", M.SCENE, "clue", "music"),
    _claim(r"\b(?:tele)?phone\b|\bcellphone\b|\bmicrophone\b|\bglass of water\b|\bcomputer\b|\bdesk\b|"
           r"\bsuit\b|\bwindow\b|\bcar\b", M.SCENE, "clue", "object"),
    _claim(r"\bgestur\w*|\bpoint(?:s|ed|ing)? (?:at|to)\b|\bhands?\b|\barms?\b|\bposture\b|\bnod\w*|"
           r"\bshak\w* (?:his|her|their) head", M.BODY, "clue",
           "gesture", "pointing", "hands_on_hips", "head_shake", "nod", "fidget", "lean_forward", "slumped"),
)
#: Phrases that name a channel (the modality must have evidence).
MODALITY_CLAIMS: tuple[Claim, ...] = (
    _claim(r"\bfac(?:e|es|ial)\b|\bexpression\w*|\beyes?\b|\bmouth\b|\blips?\b|\bbrows?\b|\beyebrows?\b",
           M.FACE, "modality"),
    _claim(r"\bvoice\w*|\btone\b|\bpitch\w*|\bintonation\b|\bvocal\w*|\bspeech rate\b|\bin the audio\b|"
           r"\bspeaks? (?:quickly|slowly|softly|loudly)\b", M.VOICE, "modality"),
    _claim(r"\bsubtitle\w*|\bin the text\b|\bthe words?\b|\bsays?\b|\bsaid\b", M.TEXT, "modality"),
    _claim(r"\bbackground\b|\bscene\b|\bsetting\b|\broom\b|\boffice\b|\blighting\b", M.SCENE, "modality"),
    _claim(r"\bbody\b|\bbody language\b", M.BODY, "modality"),
)
_TIME = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds)?\s*(?:-|–|—|to)\s*(\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds)\b"
    r"|(?<![\w.])(\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds)\b",
    re.IGNORECASE,
)
_INTRO = re.compile(r"^\s*(?:in|from|on) the (?:video|audio|text|scene|subtitles?|face|voice)\s*$", re.IGNORECASE)
_QUOTE = re.compile(r'"[^"]*"|\u201c[^\u201d]*\u201d')
#: Single-quoted spans: the quote marks may not touch letters (so "person's" is no quote).
_SINGLE_QUOTE = re.compile(r"(?<![A-Za-z0-9])['\u2018]([^'\u2018\u2019\n]{2,}?)['\u2019](?![A-Za-z0-9])")
_ELLIPSIS = re.compile(r"\u2026|\.{3,}")
_NON_WORD = re.compile(r"[^0-9a-z\u00c0-\uffff]+")
_NUM_SPAN = r"(\d+(?:\.\d+)?)\s*(?:s\b)?\s*(?:-|–|—|to)\s*(\d+(?:\.\d+)?)\s*(?:s|sec|seconds)\b"
_CITED_SPAN = re.compile(
    r"\[([A-Z]\d{1,3})\]\s*\(\s*" + _NUM_SPAN + r"\s*\)"
    + r"|\(\s*" + _NUM_SPAN.replace("(\\d", "(\\d") + r"\s*\)\s*\[([A-Z]\d{1,3})\]"
)
_CLUE_REF = re.compile(r"\[([A-Z]\d{1,3})\]|\b((?:face|voice|text|scene|body)-[0-9a-f]{8})\b")


def _squash(text: str) -> str:
    """Lower-case words separated by single spaces (punctuation, quotes and case ignored)."""
    text = text.lower().replace("\u2019", "'").replace("'", "")
    return " ".join(_NON_WORD.sub(" ", text).split())


def _quotes(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, inner text)`` of every quoted span, double quotes first, in text order."""
    found = [(m.start(), m.end(), m.group(0)[1:-1]) for m in _QUOTE.finditer(text)]
    taken = [(a, b) for a, b, _ in found]
    for m in _SINGLE_QUOTE.finditer(text):
        if not any(a <= m.start() < b for a, b in taken):
            found.append((m.start(), m.end(), m.group(1)))
    return sorted(found)


def _clauses(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    pos = 0
    for match in _CLAUSE_SPLIT.finditer(text):
        out.append((pos, text[pos:match.start()]))
        pos = match.end()
    out.append((pos, text[pos:]))
    merged: list[tuple[int, str]] = []
    carry: tuple[int, str] | None = None
    for offset, clause in out:
        if carry is not None:  # "In the audio, no vocal clue ..." is one clause
            offset, clause = carry[0], carry[1] + " " * (offset - carry[0] - len(carry[1])) + clause
            carry = None
        if _INTRO.match(clause):
            carry = (offset, clause)
            continue
        merged.append((offset, clause))
    if carry is not None:
        merged.append(carry)
    return [(o, c) for o, c in merged if c.strip()]


class GroundingGuard:
    """Checks explanations against the evidence of one request."""

    def __init__(self, request: ReasoningRequest, view: EvidenceView | None = None) -> None:
        """Index the clues of `request` (aliases from `view`, when the prompt used one)."""
        self.request = request
        self.view = view or EvidenceView.of(request)
        self.clues = request.clues
        self.with_clues = {c.modality for c in self.clues}
        if request.transcript is not None and request.transcript.text.strip():
            self.with_clues.add(Modality.TEXT)
        self._has_transcript = request.transcript is not None and bool(request.transcript.text.strip())
        sources = [request.transcript.text] if self._has_transcript and request.transcript else []
        sources += [c.description for c in self.clues]
        self._quotable = " | ".join(_squash(t) for t in sources if t.strip())

    def _supported(self, claim: Claim, phrase: str) -> bool:
        for clue in self.clues:
            tags = {t.lower() for t in clue.tags}
            if claim.tags & tags or claim.pattern.search(clue.description):
                return True
            if claim.modality == M.SCENE and f"object:{phrase.lower()}" in tags:
                return True
        return False

    def _check_claims(self, offset: int, clause: str) -> list[GroundingViolation]:
        found: list[GroundingViolation] = []
        claimed: list[tuple[int, int]] = []
        for claim in CLUE_CLAIMS:
            for match in claim.pattern.finditer(clause):
                claimed.append(match.span())
                if not self._supported(claim, match.group(0)):
                    found.append(GroundingViolation(
                        kind="clue", claim=match.group(0), modality=claim.modality.value,
                        detail=f"no {claim.modality.value} clue supports '{match.group(0)}'",
                        start=offset + match.start(), end=offset + match.end(),
                    ))
        for claim in MODALITY_CLAIMS:
            if claim.modality in self.with_clues:
                continue
            for match in claim.pattern.finditer(clause):
                if any(a <= match.start() < b for a, b in claimed):
                    continue
                found.append(GroundingViolation(
                    kind="modality", claim=match.group(0), modality=claim.modality.value,
                    detail=f"the evidence holds no {claim.modality.value} clue",
                    start=offset + match.start(), end=offset + match.end(),
                ))
        return found

    def _check_times(self, text: str) -> list[GroundingViolation]:
        found: list[GroundingViolation] = []
        duration = self.request.media.duration
        for match in _TIME.finditer(text):
            if match.group(3) is not None:
                start = end = float(match.group(3))
            else:
                start, end = float(match.group(1)), float(match.group(2))
            inside = end <= duration + TIME_TOLERANCE if duration > 0 else True
            overlaps = any(
                c.start - TIME_TOLERANCE <= end and start <= c.end + TIME_TOLERANCE for c in self.clues
            )
            if not (inside and overlaps):
                found.append(GroundingViolation(
                    kind="time", claim=match.group(0),
                    detail="outside the clip" if not inside else "no clue spans this time",
                    start=match.start(), end=match.end(),
                ))
        return found

    def _check_refs(self, text: str) -> list[GroundingViolation]:
        found: list[GroundingViolation] = []
        for match in _CLUE_REF.finditer(text):
            ref = match.group(1) or match.group(2)
            if self.view.resolve(ref) is None:
                found.append(GroundingViolation(
                    kind="clue", claim=match.group(0), detail=f"no clue is called {ref}",
                    start=match.start(), end=match.end(),
                ))
        return found

    def _check_cited_spans(self, text: str) -> list[GroundingViolation]:
        found: list[GroundingViolation] = []
        by_id = {c.id: c for c in self.clues}
        for match in _CITED_SPAN.finditer(text):
            ref = match.group(1) or match.group(6)
            start = float(match.group(2) or match.group(4))
            end = float(match.group(3) or match.group(5))
            clue = by_id.get(self.view.resolve(ref) or "")
            if clue is None:
                continue
            if abs(clue.start - start) > TIME_TOLERANCE or abs(clue.end - end) > TIME_TOLERANCE:
                found.append(GroundingViolation(
                    kind="time", claim=match.group(0), modality=clue.modality.value,
                    detail=f"{ref} spans {clue.start:.1f}-{clue.end:.1f} s, not {start:g}-{end:g} s",
                    start=match.start(), end=match.end(),
                ))
        return found

    def _check_quotes(self, quotes: list[tuple[int, int, str]]) -> list[GroundingViolation]:
        found: list[GroundingViolation] = []
        for start, end, inner in quotes:
            fragments = [_squash(f) for f in _ELLIPSIS.split(inner)]
            missing = [f for f in fragments if f and f" {f} " not in f" {self._quotable} "]
            if missing:
                where = "the transcript or any clue" if self._has_transcript else "any clue (there is no transcript)"
                found.append(GroundingViolation(
                    kind="quote", claim=inner, modality=Modality.TEXT.value,
                    detail=f"the quoted text is not in {where}", start=start, end=end,
                ))
        return found

    def check(self, text: str) -> list[GroundingViolation]:
        """All grounding violations in `text`, in reading order."""
        found: list[GroundingViolation] = []
        quotes = _quotes(text)
        chars = list(text)
        for start, end, _ in quotes:
            chars[start:end] = " " * (end - start)
        masked = "".join(chars)
        for offset, clause in _clauses(masked):
            if _NEGATION.search(clause):
                continue
            found += self._check_claims(offset, clause)
        found += self._check_times(masked) + self._check_refs(text) + self._check_cited_spans(masked)
        found += self._check_quotes(quotes)
        return sorted(found, key=lambda v: (v.start or 0, v.kind))

    def cited(self, text: str) -> list[str]:
        """Ids of the clues `text` cites by alias or id."""
        ids = [self.view.resolve(m.group(1) or m.group(2)) for m in _CLUE_REF.finditer(text)]
        return list(dict.fromkeys(i for i in ids if i))


def check_grounding(text: str, request: ReasoningRequest) -> list[GroundingViolation]:
    """The grounding violations of explanation `text` against the evidence of `request`."""
    return GroundingGuard(request).check(text)
