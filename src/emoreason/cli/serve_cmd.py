"""`emoreason serve`: the HTTP API (FastAPI + uvicorn) on one host and port."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add the `serve` command to `app`."""

    @app.command("serve")
    def serve_cmd(
        host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
        port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
        allowed_root: list[Path] = typer.Option(None, "--allowed-root", help="Folder whose files may be posted by path "
                                                "(repeatable; default: none, uploads only)."),
        max_upload_mb: float = typer.Option(200.0, "--max-upload-mb", min=0.001, help="Largest request body, MiB."),
        time_limit: float = typer.Option(600.0, "--time-limit", min=0.1, help="Seconds one clip may take."),
        concurrency: int = typer.Option(1, "--concurrency", min=1, help="Clips explained at once (worker processes)."),
        max_queue: int = typer.Option(64, "--max-queue", min=1, help="Waiting jobs beyond which requests get 503."),
        token: str = typer.Option(None, "--token", envvar="EMOREASON_API_TOKEN", help="Bearer token required on /v1."),
        stages: str = typer.Option(None, "--stages", help="Comma-separated perception stages (default: all)."),
        reasoner: str = typer.Option("template", "--reasoner", "-r", help="template | llama-cpp | openai"),
        model: str = typer.Option(None, "--model", help="GGUF path (llama-cpp) or model name (openai)."),
        base_url: str = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint URL."),
    ) -> None:
        """Serve the explain pipeline over HTTP (OpenAPI schema at /openapi.json, docs at /docs)."""
        from emoreason.batch.records import ExplainOptions
        from emoreason.batch.session import check_options
        from emoreason.cli.listen import check_listen
        from emoreason.errors import DependencyError
        from emoreason.reasoning import get_reasoner
        from emoreason.server.models import ServerConfigError, ServerSettings

        try:
            import uvicorn

            from emoreason.server.app import create_app
        except ImportError as exc:
            raise DependencyError(
                f"emoreason serve needs {exc.name}: pip install 'fastapi==0.163.2' 'uvicorn==0.54.0' "
                "'python-multipart==0.0.34' (or: pip install 'emoreason[serve]')"
            ) from exc
        roots = [str(p.resolve()) for p in allowed_root or []]
        for root in roots:
            if not Path(root).is_dir():
                raise ServerConfigError(f"{root}: --allowed-root is not a folder")
        settings = ServerSettings(
            allowed_roots=roots, max_upload_bytes=int(max_upload_mb * 2**20), job_timeout=time_limit,
            concurrency=concurrency, max_queue=max_queue, token=token or None,
            explain=ExplainOptions(stages=[s.strip() for s in stages.split(",")] if stages else None,
                                   reasoner=reasoner, model=model, base_url=base_url),
        )
        check_options(settings.explain)
        get_reasoner(reasoner, model=model, base_url=base_url)  # a missing GGUF or endpoint fails now (nothing loads)
        check_listen(host, port)
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
