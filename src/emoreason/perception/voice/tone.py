"""Tone descriptions: prosody → voice :class:`Clue` records with time spans and the numbers behind them.

Two references are used, as annotators do ("his voice was higher than before", "she speaks fast"):

* **the speaker's own baseline** — each speech segment against the clip's speech as a whole
  (only when the clip holds at least two segments and 2 s of speech);
* **population norms** for the clip as a whole. Thresholds (documented in docs/voice.md):

=====================  =======================================  ==============================
measure                norm used                                clue
=====================  =======================================  ==============================
articulation rate      typical 3.5-5.5 syllables/s              ≥ 5.5 fast, ≤ 3.0 slow
F0 range (p10-p90)     typical 4-10 semitones in running speech ≤ 3 st flat, ≥ 12 st wide
mean F0                adult speech mostly 85-300 Hz            > 300 Hz very high pitch
F0 tremor              ≤ 0.8 st on calm read/acted speech       ≥ 1.0 st trembling
pauses                 —                                        ≥ 1.0 s long pause
=====================  =======================================  ==============================

Loudness in dBFS depends on recording gain, so it is only ever compared within the clip.
"""

from __future__ import annotations

from dataclasses import dataclass

from emoreason.records import Clue, Evidence, Modality, Prosody, SpeechSegment, VoiceSummary

SOURCE = "emoreason.voice.tone"

#: Every tag a voice clue can carry (for fusion tables and tests).
VOICE_TAGS = frozenset({
    "raised_pitch", "tense", "low_pitch", "loud", "quiet", "fast", "slow", "rising_pitch", "flat",
    "wide_pitch_range", "trembling", "pauses", "long_pause", "hesitant",
})


@dataclass(frozen=True)
class ToneThresholds:
    """Cut-offs of the tone rules (see the module docstring for their sources)."""

    raised_pitch_st: float = 2.0
    lowered_pitch_st: float = -2.0
    loud_db: float = 3.0
    quiet_db: float = -4.0
    fast_ratio: float = 1.25
    slow_ratio: float = 0.75
    end_rise_st_per_s: float = 8.0
    end_rise_min_st: float = 2.0
    phrase_rise_st_per_s: float = 3.0
    fast_syl_per_s: float = 5.5
    slow_syl_per_s: float = 3.0
    flat_range_st: float = 3.0
    wide_range_st: float = 12.0
    high_f0_hz: float = 300.0
    low_f0_hz: float = 120.0
    tremor_st: float = 1.0
    long_pause_s: float = 1.0
    hesitant_pause_ratio: float = 0.35
    min_segments_for_baseline: int = 2
    min_speech_for_baseline_s: float = 2.0


def _strength(excess: float, scale: float) -> float:
    """0.5 at the threshold, rising to 1.0 one `scale` beyond it."""
    return round(min(1.0, max(0.3, 0.5 + 0.5 * excess / scale)), 3)


def _ev(name: str, value: float | None, unit: str, time: float | None = None) -> Evidence:
    return Evidence(name=name, value=round(float(value), 3) if value is not None else "n/a", unit=unit, time=time)


@dataclass
class _Part:
    phrase: str
    tag: str
    strength: float
    evidence: list[Evidence]


def _segment_parts(p: Prosody, base: Prosody, th: ToneThresholds) -> list[_Part]:
    """Segment-versus-speaker-baseline observations."""
    parts: list[_Part] = []
    if p.f0_mean_st is not None and base.f0_mean_st is not None:
        d = p.f0_mean_st - base.f0_mean_st
        ev = [_ev("f0_mean_st", p.f0_mean_st, "st re 100 Hz"), _ev("f0_baseline_st", base.f0_mean_st, "st re 100 Hz")]
        if d >= th.raised_pitch_st:
            tense = p.hnr_db is not None and base.hnr_db is not None and p.hnr_db <= base.hnr_db - 1.5
            phrase = f"raised, tense pitch (+{d:.1f} st)" if tense else f"raised pitch (+{d:.1f} st)"
            if tense:
                ev += [_ev("hnr_db", p.hnr_db, "dB"), _ev("hnr_baseline_db", base.hnr_db, "dB")]
            parts.append(_Part(phrase, "raised_pitch", _strength(d - th.raised_pitch_st, 3.0), ev))
            if tense:
                parts.append(_Part("", "tense", 0.0, []))
        elif d <= th.lowered_pitch_st:
            parts.append(_Part(f"lowered pitch ({d:.1f} st)", "low_pitch",
                               _strength(th.lowered_pitch_st - d, 3.0), ev))
    if p.loudness_db is not None and base.loudness_db is not None:
        d = p.loudness_db - base.loudness_db
        ev = [_ev("loudness_db", p.loudness_db, "dBFS"), _ev("loudness_baseline_db", base.loudness_db, "dBFS")]
        if d >= th.loud_db:
            parts.append(_Part(f"louder (+{d:.1f} dB)", "loud", _strength(d - th.loud_db, 4.0), ev))
        elif d <= th.quiet_db:
            parts.append(_Part(f"quieter, softer ({d:.1f} dB)", "quiet", _strength(th.quiet_db - d, 4.0), ev))
    rate, brate = p.speaking_rate_syl_per_s, base.speaking_rate_syl_per_s
    if rate is not None and brate and (p.duration or 0) >= 0.6:
        ev = [_ev("speaking_rate", rate, "syl/s"), _ev("speaking_rate_baseline", brate, "syl/s")]
        if rate >= brate * th.fast_ratio and rate >= 4.5:
            parts.append(_Part(f"faster ({rate:.1f} syl/s)", "fast", _strength(rate / brate - th.fast_ratio, 0.4), ev))
        elif rate <= brate * th.slow_ratio and rate <= 3.5:
            parts.append(_Part(f"slower ({rate:.1f} syl/s)", "slow", _strength(th.slow_ratio - rate / brate, 0.3), ev))
    return parts


def _contour_parts(p: Prosody, th: ToneThresholds) -> list[_Part]:
    """Within-segment pitch movement and wobble (need no baseline)."""
    parts = []
    if p.f0_tremor_st is not None and p.f0_tremor_st >= th.tremor_st:
        ev = [_ev("f0_tremor_st", p.f0_tremor_st, "st"), _ev("jitter_local", p.jitter_local, "ratio"),
              _ev("shimmer_local", p.shimmer_local, "ratio")]
        parts.append(_Part("trembling voice", "trembling", _strength(p.f0_tremor_st - th.tremor_st, 1.0), ev))
    return parts + _rise_parts(p, th)


def _rise_parts(p: Prosody, th: ToneThresholds) -> list[_Part]:
    """A rise at the end of the segment, or through it."""
    end, whole = p.f0_end_slope_st_per_s, p.f0_slope_st_per_s
    if end is not None and end >= th.end_rise_st_per_s and end * 0.5 >= th.end_rise_min_st:
        ev = [_ev("f0_end_slope", end, "st/s")]
        return [_Part("pitch rises at the end (question-like)", "rising_pitch",
                      _strength(end - th.end_rise_st_per_s, 10.0), ev)]
    if whole is not None and whole >= th.phrase_rise_st_per_s and (p.duration or 0) >= 0.6:
        ev = [_ev("f0_slope", whole, "st/s")]
        return [_Part("pitch rises through the phrase", "rising_pitch",
                      _strength(whole - th.phrase_rise_st_per_s, 4.0), ev)]
    return []


def _merge(parts: list[_Part], seg: SpeechSegment) -> Clue | None:
    shown = [x for x in parts if x.phrase]
    if not shown:
        return None
    tags = {x.tag for x in parts}
    if {"loud", "fast"} <= tags:
        head = "speaks loudly and fast"
        rest = [x.phrase for x in shown if x.tag not in ("loud", "fast")]
    else:
        head, rest = shown[0].phrase, [x.phrase for x in shown[1:]]
    text = "; ".join([head, *rest]) if rest else head
    evidence = [e for x in parts for e in x.evidence]
    return Clue(
        modality=Modality.VOICE, description=text, start=seg.start, end=seg.end,
        strength=max(x.strength for x in shown), evidence=evidence, tags=sorted(tags), source=SOURCE,
    )


def _clip_clues(v: VoiceSummary, th: ToneThresholds) -> list[Clue]:
    """Clip-level observations against population norms."""
    p = v.clip_prosody
    segs = v.speech_segments
    a, b = segs[0].start, segs[-1].end
    out: list[Clue] = []

    def add(text: str, tags: list[str], strength: float, evidence: list[Evidence]) -> None:
        out.append(Clue(modality=Modality.VOICE, description=text, start=a, end=b, strength=strength,
                        evidence=evidence, tags=tags, source=SOURCE))

    rate = p.speaking_rate_syl_per_s
    if rate is not None and rate >= th.fast_syl_per_s:
        add(f"speaks fast ({rate:.1f} syllables/s)", ["fast"], _strength(rate - th.fast_syl_per_s, 1.5),
            [_ev("speaking_rate", rate, "syl/s")])
    elif rate is not None and rate <= th.slow_syl_per_s:
        add(f"speaks slowly ({rate:.1f} syllables/s)", ["slow"], _strength(th.slow_syl_per_s - rate, 1.0),
            [_ev("speaking_rate", rate, "syl/s")])
    voiced_s = (p.voiced_ratio or 0.0) * sum(s.end - s.start for s in segs)
    rng, f0 = p.f0_range_st, p.f0_mean_hz
    if rng is not None and voiced_s >= 1.0:
        ev = [_ev("f0_range_st", rng, "st"), _ev("f0_mean_hz", f0, "Hz")]
        if rng <= th.flat_range_st:
            low = f0 is not None and f0 < th.low_f0_hz
            add("flat, low voice" if low else "flat, monotone voice", ["flat", "low_pitch"] if low else ["flat"],
                _strength(th.flat_range_st - rng, 1.5), ev)
        elif rng >= th.wide_range_st:
            add(f"lively, wide-ranging pitch ({rng:.0f} st)", ["wide_pitch_range"],
                _strength(rng - th.wide_range_st, 6.0), ev)
    if f0 is not None and f0 > th.high_f0_hz:
        add(f"very high-pitched voice ({f0:.0f} Hz)", ["raised_pitch"], _strength(f0 / th.high_f0_hz - 1, 0.3),
            [_ev("f0_mean_hz", f0, "Hz")])
    trembling_segment = any((s.prosody.f0_tremor_st or 0.0) >= th.tremor_st for s in segs)
    if p.f0_tremor_st is not None and p.f0_tremor_st >= th.tremor_st and not trembling_segment:
        ev = [_ev("f0_tremor_st", p.f0_tremor_st, "st"), _ev("jitter_local", p.jitter_local, "ratio"),
              _ev("shimmer_local", p.shimmer_local, "ratio")]
        add("trembling voice", ["trembling"], _strength(p.f0_tremor_st - th.tremor_st, 1.0), ev)
    if (p.pause_ratio or 0) >= th.hesitant_pause_ratio and (p.pause_count or 0) >= 2:
        add(f"halting speech, {p.pause_count} pauses", ["pauses", "hesitant"],
            _strength(p.pause_ratio - th.hesitant_pause_ratio, 0.3),
            [_ev("pause_ratio", p.pause_ratio, "ratio"), _ev("pause_count", p.pause_count, "")])
    return out


def _pause_clues(segs: list[SpeechSegment], th: ToneThresholds) -> list[Clue]:
    out = []
    for prev, nxt in zip(segs[:-1], segs[1:], strict=True):
        gap = nxt.start - prev.end
        if gap >= th.long_pause_s:
            out.append(Clue(
                modality=Modality.VOICE, description=f"long pause ({gap:.1f} s)", start=prev.end, end=nxt.start,
                strength=_strength(gap - th.long_pause_s, 1.5), tags=["pauses", "long_pause"], source=SOURCE,
                evidence=[_ev("pause_s", gap, "s", time=prev.end)],
            ))
    return out


def describe_tone(voice: VoiceSummary, thresholds: ToneThresholds | None = None) -> list[Clue]:
    """Voice clues for a clip: segment-vs-baseline, contour, clip-vs-population and pause clues.

    Returns clues sorted by start time (empty when no speech was detected).
    """
    th = thresholds or ToneThresholds()
    segs = voice.speech_segments
    if not segs:
        return []
    base = voice.clip_prosody
    speech = sum(s.end - s.start for s in segs)
    relative = len(segs) >= th.min_segments_for_baseline and speech >= th.min_speech_for_baseline_s
    clues: list[Clue] = []
    for seg in segs:
        parts = _segment_parts(seg.prosody, base, th) if relative else []
        parts += _contour_parts(seg.prosody, th)
        clue = _merge(parts, seg)
        if clue is not None:
            clues.append(clue)
    clues += _clip_clues(voice, th)
    clues += _pause_clues(segs, th)
    return sorted(clues, key=lambda c: (c.start, c.end))
