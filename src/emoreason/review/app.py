"""The review web page (FastAPI): rate, compare and edit a dataset's descriptions.

Routes (all but ``/login`` need an annotator; see :mod:`emoreason.review.auth`):
``GET /`` clip list · ``GET /clip/{key}`` one clip · ``POST /clip/{key}/rate|prefer|edit`` ·
``GET /agreement`` · ``GET /export/ratings.csv|json`` · ``GET /media/{path}`` (only files under the
dataset's ``media/`` and ``frames/``; anything else, ``../`` included, is 404) ·
``GET|POST /login`` · ``POST /logout``. Writes go to ``DATASET/review.sqlite``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse

from emoreason.annotation.media import safe_name
from emoreason.annotation.records import AnnotationRecord
from emoreason.review import pages
from emoreason.review.auth import COOKIE, Authenticator, Identity, ReviewError
from emoreason.review.db import DB_NAME, ReviewDB

MAX_BODY_BYTES = 64 * 1024
MAX_TEXT_CHARS = 20_000
MEDIA_FOLDERS = ("media", "frames")
MESSAGES = {"rating": "Rating saved.", "preference": "Preference saved.", "edit": "Edit saved.",
            "conflict": "Edit saved — someone else edited this description meanwhile; both are in the history."}
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'none'; style-src 'unsafe-inline'; "
                               "img-src 'self'; media-src 'self'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
}


class Dataset:
    """The dataset's records, reloaded when ``annotations.jsonl`` changes."""

    def __init__(self, root: Path) -> None:
        from emoreason.annotation.runner import load_records

        self.root = root.resolve()
        self._load = load_records
        self._stamp: float | None = None
        self.records: dict[str, AnnotationRecord] = {}
        self.refresh()

    def refresh(self) -> None:
        """Reload the records if the file changed."""
        from emoreason.annotation.records import ANNOTATIONS_NAME

        path = self.root / ANNOTATIONS_NAME
        stamp = path.stat().st_mtime_ns if path.is_file() else None
        if stamp is None or stamp != self._stamp:  # a missing file raises AnnotationError in the loader
            self.records = {safe_name(r.id): r for r in sorted(self._load(self.root), key=lambda r: r.id)}
            self._stamp = stamp

    def media_file(self, rel: str) -> Path | None:
        """The file `rel` if it lies under one of :data:`MEDIA_FOLDERS`, else None."""
        try:
            target = (self.root / rel).resolve()
        except (OSError, ValueError):
            return None
        inside = any(target.is_relative_to(self.root / folder) for folder in MEDIA_FOLDERS)
        return target if inside and target.is_file() else None


def create_app(dataset_dir: str | Path, tokens: dict[str, str], *, max_body_bytes: int = MAX_BODY_BYTES) -> FastAPI:
    """The review app for one dataset folder and a token → annotator map.

    Raises:
        ReviewError: the folder is not a dataset.
    """
    from emoreason.annotation.errors import AnnotationError
    from emoreason.server.limits import BodySizeLimit

    try:
        dataset = Dataset(Path(dataset_dir))
    except AnnotationError as exc:
        raise ReviewError(str(exc)) from exc
    app = FastAPI(title="emoreason review", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    app.state.dataset = dataset
    app.state.auth = Authenticator(tokens)
    app.state.db = ReviewDB(dataset.root / DB_NAME)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Any:
        if exc.status_code == 401:
            return HTMLResponse(pages.login_page(str(exc.detail)), status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        return PlainTextResponse(str(exc.detail), status_code=exc.status_code)

    _auth_routes(app)
    _page_routes(app)
    _write_routes(app)
    _data_routes(app)
    return app


def who(request: Request) -> Identity:
    """The annotator behind a request, or 401."""
    identity = request.app.state.auth.identify(request.headers.get("authorization"), request.cookies.get(COOKIE))
    if identity is None:
        raise HTTPException(401, "sign in: missing or wrong token")
    return identity


def _record(request: Request, key: str) -> AnnotationRecord:
    dataset: Dataset = request.app.state.dataset
    dataset.refresh()
    rec = dataset.records.get(key)
    if rec is None:
        raise HTTPException(404, "no such clip")
    return rec


async def _form(request: Request, identity: Identity) -> dict[str, str]:
    """The posted form, after the CSRF check (403 when it fails)."""
    form = await request.form(max_files=0, max_fields=20)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    if not request.app.state.auth.csrf_ok(identity, values.get("csrf")):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")
    return values


def _auth_routes(app: FastAPI) -> None:
    @app.get("/login", response_class=HTMLResponse)
    async def login_form() -> str:
        return pages.login_page()

    @app.post("/login")
    async def login(request: Request) -> Any:
        form = await request.form(max_files=0, max_fields=5)
        session = request.app.state.auth.login(str(form.get("token") or ""))
        if session is None:
            return HTMLResponse(pages.login_page("Unknown token."), status_code=401)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, session, httponly=True, samesite="strict", path="/")
        return response

    @app.post("/logout")
    async def logout(request: Request) -> Any:
        if request.cookies.get(COOKIE):
            request.app.state.auth.logout(request.cookies[COOKIE])
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response


def _page_routes(app: FastAPI) -> None:
    @app.get("/", response_class=HTMLResponse)
    async def index(request: Request) -> str:
        identity = who(request)
        dataset: Dataset = request.app.state.dataset
        dataset.refresh()
        db: ReviewDB = request.app.state.db
        ratings = db.rows("ratings")
        rows = []
        for key, rec in dataset.records.items():
            mine = [r["score"] for r in ratings if r["clip_id"] == rec.id and r["annotator"] == identity.name]
            rows.append((key, rec, sum(r["clip_id"] == rec.id for r in ratings), mine[-1] if mine else None))
        return pages.index_page(rows, identity.name)

    @app.get("/clip/{key}", response_class=HTMLResponse)
    async def clip(request: Request, key: str, saved: str | None = None) -> str:
        identity = who(request)
        rec = _record(request, key)
        db: ReviewDB = request.app.state.db
        text, edit_id = db.current_text(rec.id, "fine_caption", rec.fine_caption)
        ratings = db.rows("ratings", rec.id)
        mine = [r["score"] for r in ratings if r["annotator"] == identity.name]
        keys = list(request.app.state.dataset.records)
        at = keys.index(key)
        view = {"description": text, "edit_id": edit_id, "alternative": rec.explanation or rec.coarse_caption,
                "history": db.history(rec.id), "ratings": ratings, "mine": mine[-1] if mine else None,
                "message": MESSAGES.get(saved or "", ""), "prev": keys[at - 1] if at > 0 else None,
                "next": keys[at + 1] if at + 1 < len(keys) else None}
        return pages.clip_page(rec, key, view, identity.name, request.app.state.auth.csrf_token(identity))

    @app.get("/agreement", response_class=HTMLResponse)
    async def agreement(request: Request) -> str:
        identity = who(request)
        stats = request.app.state.db.stats()
        return pages.agreement_page(stats["report"], stats, identity.name)


def _write_routes(app: FastAPI) -> None:
    @app.post("/clip/{key}/rate")
    async def rate(request: Request, key: str) -> Any:
        identity = who(request)
        rec = _record(request, key)
        form = await _form(request, identity)
        score = form.get("score", "")
        if score not in {"1", "2", "3", "4"}:
            raise HTTPException(422, "score must be 1, 2, 3 or 4")
        request.app.state.db.add_rating(rec.id, identity.name, int(score))
        return RedirectResponse(f"{pages.clip_url(key)}?saved=rating", status_code=303)

    @app.post("/clip/{key}/prefer")
    async def prefer(request: Request, key: str) -> Any:
        identity = who(request)
        rec = _record(request, key)
        form = await _form(request, identity)
        choice = form.get("choice", "")
        if choice not in ("left", "right", "tie"):
            raise HTTPException(422, "choice must be left, right or tie")
        _, edit_id = request.app.state.db.current_text(rec.id, "fine_caption", rec.fine_caption)
        left = f"fine_caption@{edit_id}" if edit_id else "fine_caption"
        right = "explanation" if rec.explanation else "coarse_caption"
        request.app.state.db.add_preference(rec.id, identity.name, left, right, choice)
        return RedirectResponse(f"{pages.clip_url(key)}?saved=preference", status_code=303)

    @app.post("/clip/{key}/edit")
    async def edit(request: Request, key: str) -> Any:
        identity = who(request)
        rec = _record(request, key)
        form = await _form(request, identity)
        text = " ".join(form.get("text", "").split())
        if not text:
            raise HTTPException(422, "the description is empty")
        if len(text) > MAX_TEXT_CHARS:
            raise HTTPException(413, f"the description is longer than {MAX_TEXT_CHARS} characters")
        base = form.get("base_id", "")
        _, conflict = request.app.state.db.add_edit(rec.id, identity.name, "fine_caption", text,
                                                    int(base) if base.isdigit() else None)
        return RedirectResponse(f"{pages.clip_url(key)}?saved={'conflict' if conflict else 'edit'}", status_code=303)


def _data_routes(app: FastAPI) -> None:
    @app.get("/media/{rel:path}")
    async def media(request: Request, rel: str) -> Any:
        who(request)
        path = request.app.state.dataset.media_file(rel)
        if path is None:
            raise HTTPException(404, "no such media file in the dataset")
        return FileResponse(path)

    @app.get("/export/ratings.json")
    async def ratings_json(request: Request) -> Any:
        who(request)
        db: ReviewDB = request.app.state.db
        return JSONResponse({"ratings": db.rows("ratings"), "preferences": db.rows("preferences"),
                             "edits": db.rows("edits"), "agreement": db.stats()["report"]})

    @app.get("/export/ratings.csv")
    async def ratings_csv(request: Request) -> Any:
        import csv
        import io

        who(request)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["kind", "clip_id", "annotator", "value", "detail", "created"])
        db: ReviewDB = request.app.state.db
        for r in db.rows("ratings"):
            writer.writerow(["rating", r["clip_id"], r["annotator"], r["score"], r["target"], r["created"]])
        for r in db.rows("preferences"):
            writer.writerow(["preference", r["clip_id"], r["annotator"], r["choice"],
                             f"{r['left_key']} vs {r['right_key']}", r["created"]])
        for r in db.rows("edits"):
            writer.writerow(["edit", r["clip_id"], r["annotator"], r["text"], "conflict" if r["conflict"] else "",
                             r["created"]])
        return PlainTextResponse(buffer.getvalue(), media_type="text/csv",
                                 headers={"Content-Disposition": 'attachment; filename="ratings.csv"'})
