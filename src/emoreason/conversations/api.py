"""``converse``: who feels what in a dialogue, because of which utterance, and why.

:func:`iter_converse` yields one :class:`DialogueOutcome` per dialogue as soon as it is done
(a dialogue that fails its checks yields its error and the run goes on); :func:`converse`
collects them and raises :class:`DialogueBatchError` — carrying every finished analysis — when
any dialogue failed.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from emoreason.conversations.analyse import ClipRunner, analyse_dialogue
from emoreason.conversations.clips import cut_clips
from emoreason.conversations.model import DialogueHeads, default_heads
from emoreason.conversations.readers import DialogueInputError, iter_dialogues
from emoreason.conversations.records import Dialogue, DialogueAnalysis
from emoreason.conversations.writers import make_writer

log = logging.getLogger(__name__)
VIDEO_SUFFIXES = frozenset({".mp4", ".mkv", ".avi", ".mov", ".webm"})


class DialogueBatchError(DialogueInputError):
    """Some dialogues could not be analysed; ``analyses`` holds the ones that were."""

    def __init__(self, message: str, analyses: list[DialogueAnalysis], failures: list[str]) -> None:
        """Keep the finished analyses and one line per failure."""
        super().__init__(message)
        self.analyses = analyses
        self.failures = failures


@dataclass
class DialogueOutcome:
    """One dialogue's analysis, or the one-line reason it has none."""

    conversation_id: str
    analysis: DialogueAnalysis | None = None
    error: str | None = None


def _source_and_video(source: str | Path, video: str | Path | None,
                      subtitle: str | Path | None) -> tuple[Path, Path | None]:
    path = Path(source)
    if path.suffix.lower() in VIDEO_SUFFIXES:
        if subtitle is None:
            raise DialogueInputError(f"{path}: a video needs timed, speaker-named subtitles: pass subtitle=FILE "
                                     "(--subtitle) with 'Speaker: text' cues")
        return Path(subtitle), path
    return path, Path(video) if video is not None else None


def iter_converse(
    source: str | Path | Iterable[Dialogue],
    *,
    clips: str | Path | None = None,
    video: str | Path | None = None,
    subtitle: str | Path | None = None,
    writer: str = "template",
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    heads: DialogueHeads | str | Path | None = None,
    context: bool = True,
    cache: bool = False,
    llm_cache: bool = True,
    clip_runner: ClipRunner | None = None,
    cause_reader: bool = True,
) -> Iterator[DialogueOutcome]:
    """Analyse each dialogue of `source`, yielding as it goes (see :func:`converse` for the arguments)."""
    model_heads = heads if isinstance(heads, DialogueHeads) else (
        DialogueHeads.load(heads) if heads is not None else default_heads())
    if not cause_reader:
        model_heads = model_heads.without_cause_reader()
    explainer = make_writer(writer, model=model, base_url=base_url, api_key=api_key, cache=llm_cache)
    clips_dir = Path(clips) if clips is not None else None
    if clips_dir is not None and not clips_dir.is_dir():
        raise DialogueInputError(f"{clips_dir}: clips folder not found")
    if isinstance(source, str | Path):
        path, video_path = _source_and_video(source, video, subtitle)
        dialogues: Iterable[Dialogue] = iter_dialogues(path)
    else:
        video_path, dialogues = (Path(video) if video else None), source
    with tempfile.TemporaryDirectory(prefix="emoreason-clips-") as tmp:
        for dialogue in dialogues:
            clip_paths = cut_clips(video_path, dialogue, Path(tmp)) if video_path is not None else None
            try:
                analysis = analyse_dialogue(dialogue, heads=model_heads, writer=explainer, clips_dir=clips_dir,
                                            clip_paths=clip_paths, clip_runner=clip_runner,
                                            use_clips=clips_dir is not None or video_path is not None,
                                            context=context, cache=cache)
            except DialogueInputError as exc:
                log.info("%s", exc)
                yield DialogueOutcome(conversation_id=dialogue.conversation_id, error=str(exc))
                continue
            yield DialogueOutcome(conversation_id=dialogue.conversation_id, analysis=analysis)


def converse(source: str | Path | Iterable[Dialogue], **options: object) -> list[DialogueAnalysis]:
    """Emotions, causes, cause spans and explanations for every utterance of every dialogue in `source`.

    Args:
        source: a dialogue file (SemEval-2024 ECAC ``.json``, ECF 1.0 ``.txt``, MELD or plain ``.csv``,
            ``.jsonl``, speaker-named ``.srt``/``.vtt``), a video (with ``subtitle=``), or Dialogue records.
        clips: folder of per-utterance clips (``dia{conv}utt{utt}.mp4`` or the row's ``clip``); each clip's
            face/voice evidence comes from ``emoreason.pipeline.explain`` and is cited.
        video, subtitle: one video and its timed, speaker-named subtitles; cut into one clip per utterance.
        writer: ``template`` (default), ``llama-cpp`` or ``openai``; model, base_url, api_key go to the backend.
        heads: a :class:`DialogueHeads` or a weights folder (default: the shipped heads).
        context: use the in-context emotion head (False: the utterance alone).
        cause_reader: score causes with the fine-tuned cause reader when the heads have one (False: the
            frozen cause head alone and the decision fitted without the reader; several times faster).
        cache: keep sentence vectors in the on-disk embedding cache.
        llm_cache: reuse cached LLM replies.
        clip_runner: replaces ``pipeline.explain`` for clips (tests, custom pipelines).

    Raises:
        DialogueInputError: the file cannot be read.
        DialogueBatchError: some dialogues failed their checks (``.analyses`` holds the finished ones).
    """
    analyses, failures = [], []
    for outcome in iter_converse(source, **options):  # type: ignore[arg-type]
        if outcome.analysis is not None:
            analyses.append(outcome.analysis)
        else:
            failures.append(outcome.error or f"conversation {outcome.conversation_id} failed")
    if failures:
        raise DialogueBatchError(f"{failures[0]}" + (f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""),
                                 analyses, failures)
    return analyses
