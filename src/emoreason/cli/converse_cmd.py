"""`emoreason converse DIALOGUE`: per utterance, the emotion, its cause utterances and spans, and why."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import IO

import typer


class ConverseFormat(str, Enum):
    """Renderings of a dialogue analysis."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    SEMEVAL = "semeval"


@contextmanager
def _sink(out: Path | None):  # noqa: ANN202 - a context manager of a text stream
    from emoreason.errors import OutputError

    if out is None:
        yield sys.stdout
        return
    try:
        handle = out.open("w", encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{out}: cannot write output ({exc.strerror or exc})") from exc
    with handle:
        yield handle


def _write(handle: IO[str], fmt: ConverseFormat, analysis: object, first: bool) -> None:
    import json

    from emoreason.conversations.render import to_json_line, to_markdown, to_semeval, to_text

    if fmt is ConverseFormat.JSON:
        handle.write(to_json_line(analysis))  # type: ignore[arg-type]
    elif fmt is ConverseFormat.MARKDOWN:
        handle.write(to_markdown(analysis))  # type: ignore[arg-type]
    elif fmt is ConverseFormat.SEMEVAL:
        handle.write(("[" if first else ",\n") + json.dumps(to_semeval(analysis), ensure_ascii=False))  # type: ignore[arg-type]
    else:
        handle.write(("" if first else "\n") + to_text(analysis))  # type: ignore[arg-type]
    handle.flush()


def _say_warnings(warnings: list[str], said: set[str]) -> None:
    """Print each warning not yet said to stderr (a file-level one, e.g. the encoding, comes once)."""
    for warning in warnings:
        if warning not in said:
            said.add(warning)
            print(f"warning: {warning}", file=sys.stderr)


def register(app: typer.Typer) -> None:
    """Add the `converse` command to `app`."""

    @app.command("converse")
    def converse_cmd(
        dialogue: Path = typer.Argument(..., help="Dialogue file (.json ECAC, .txt ECF, .csv, .jsonl, .srt/.vtt) or "
                                                  "a video with --subtitle."),
        clips: Path = typer.Option(None, "--clips", help="Folder of per-utterance clips (dia{conv}utt{utt}.mp4)."),
        video: Path = typer.Option(None, "--video", help="One video to cut at the subtitle times (DIALOGUE = .srt)."),
        subtitle: Path = typer.Option(None, "--subtitle", "-s",
                                      help="Speaker-named subtitles when DIALOGUE is a video."),
        fmt: ConverseFormat = typer.Option(ConverseFormat.TEXT, "--format", "-f",
                                           help="text | json (one line per dialogue) | markdown | semeval"),
        out: Path = typer.Option(None, "--output", "-o", help="Write to this file (finished dialogues are kept)."),
        writer: str = typer.Option("template", "--reasoner", "-r",
                                   help="Explanation writer: template | llama-cpp | openai"),
        model: str = typer.Option(None, "--model", help="GGUF path (llama-cpp) or model name (openai)."),
        base_url: str = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint URL."),
        api_key: str = typer.Option(None, "--api-key", help="API key for the endpoint."),
        heads: Path = typer.Option(None, "--heads", help="Folder of dialogue head weights (default: shipped)."),
        no_context: bool = typer.Option(False, "--no-context", help="Read each utterance alone (ablation)."),
        no_cause_reader: bool = typer.Option(False, "--no-cause-reader",
                                             help="Score causes with the frozen cause head only (faster)."),
        no_cache: bool = typer.Option(False, "--no-cache", help="Do not reuse cached LLM replies."),
    ) -> None:
        """Say, for every utterance, the speaker's emotion, which utterances caused it, and why."""
        from emoreason.cli.output import check_output_path
        from emoreason.conversations import iter_converse
        from emoreason.conversations.api import DialogueBatchError

        check_output_path(out)
        outcomes = iter_converse(dialogue, clips=clips, video=video, subtitle=subtitle, writer=writer, model=model,
                                 base_url=base_url, api_key=api_key, heads=heads, context=not no_context,
                                 llm_cache=not no_cache, cause_reader=not no_cause_reader)
        done, failures, said = [], [], set()
        quiet_output = fmt is ConverseFormat.SEMEVAL or out is not None  # warnings not shown on the terminal
        with _sink(out) as handle:
            try:
                for outcome in outcomes:
                    if outcome.analysis is None:
                        failures.append(outcome.error or outcome.conversation_id)
                        print(f"skipped: {outcome.error}", file=sys.stderr)
                        continue
                    _write(handle, fmt, outcome.analysis, first=not done)
                    done.append(outcome.analysis.conversation_id)
                    if quiet_output:
                        _say_warnings(outcome.analysis.warnings, said)
            finally:
                if fmt is ConverseFormat.SEMEVAL:
                    handle.write(("[" if not done else "") + "]\n")
        if failures:
            raise DialogueBatchError(f"{failures[0]} ({len(done)} dialogue(s) written, {len(failures)} failed)",
                                     [], failures)
