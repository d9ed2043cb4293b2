"""`emoreason interpret IMAGE`: every person's emotions in a still image and their triggers."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer


class InterpretFormat(str, Enum):
    """Renderings of the result."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


def register(app: typer.Typer) -> None:
    """Add the `interpret` command to `app`."""

    @app.command("interpret")
    def interpret_cmd(
        image: Path = typer.Argument(..., help="Image file (jpg, png, webp, gif, tiff, bmp)."),
        question: str = typer.Option(None, "--question", "-q", help="EIBench-style question to answer."),
        fmt: InterpretFormat = typer.Option(InterpretFormat.TEXT, "--format", "-f", help="Output format."),
        out: Path = typer.Option(None, "--output", "-o", help="Write the result to this file."),
        base_url: str = typer.Option(None, "--base-url", envvar="EMOREASON_VISION_BASE_URL",
                                     help="OpenAI-compatible vision endpoint (optional)."),
        model: str = typer.Option(None, "--model", envvar="EMOREASON_VISION_MODEL", help="Vision model name."),
        api_key: str = typer.Option(None, "--api-key", envvar="EMOREASON_VISION_API_KEY", help="Endpoint API key."),
        method: str = typer.Option(None, "--method", help="template | direct | cfsa (default: cfsa with a model)."),
        no_ocr: bool = typer.Option(False, "--no-ocr", help="Do not read text in the image."),
    ) -> None:
        """Say what each person in IMAGE feels and why: numbered explicit and implicit triggers."""
        from emoreason.cli.output import check_output_path, write_output
        from emoreason.images import interpret
        from emoreason.images.render import to_markdown, to_text

        check_output_path(out)
        result = interpret(image, question=question, base_url=base_url, model=model, api_key=api_key,
                           method=method, ocr=not no_ocr)
        if fmt is InterpretFormat.JSON:
            write_output(result.model_dump_json(indent=2) + "\n", out)
        elif fmt is InterpretFormat.MARKDOWN:
            write_output(to_markdown(result), out)
        else:
            write_output(to_text(result), out)
